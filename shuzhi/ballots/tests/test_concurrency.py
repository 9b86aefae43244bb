"""Phone ballots against real app server processes (gunicorn) sharing the test database:
simultaneous submissions of one code on two servers, and a worker killed in the middle of a burst.

PostgreSQL only: the servers are other processes, so the data must be committed
(transaction=True) in a database they reach over the network.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.db import connection

from shuzhi.ballots.models import Ballot, BallotCode, BallotMark, CodeUse
from shuzhi.core.grades import Grade
from shuzhi.testing.meetings import county_meeting, tokens

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: app server processes share the test database (.ci/run runs the suite on both)",
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict  # the test database, committed to by transaction=True tests
    user, password = quote(db["USER"] or "", safe=""), quote(db["PASSWORD"] or "", safe="")
    return (
        f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"
    )


@contextmanager
def _servers(count: int, *, workers: int = 1, threads: int = 1):
    """`count` gunicorn processes serving the app from the test database, until the block ends:
    a list of (port, master pid)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _database_url(),
        "SHUZHI_DATA_DIR": str(settings.DATA_DIR),  # the same secrets: codes are found by their keyed hash
        "SHUZHI_FIELD_HASH_KEY": settings.FIELD_HASH_KEY,
        "SHUZHI_HTTPS": "0",
        "SHUZHI_ALLOWED_HOSTS": "127.0.0.1",
        "SHUZHI_LOG_LEVEL": "ERROR",
    }
    started = []
    try:
        for _i in range(count):
            port = _free_port()
            command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "--workers", str(workers),
                       "--worker-class", "gthread", "--threads", str(threads), "--log-level", "error"]  # fmt: skip
            started.append((port, subprocess.Popen(command, cwd=ROOT, env=env)))  # noqa: S603
        deadline = time.monotonic() + 30
        for port, process in started:
            while not _answers(port):
                assert process.poll() is None, f"gunicorn exited with {process.returncode}"
                assert time.monotonic() < deadline, "gunicorn did not start within 30 s"
                time.sleep(0.05)
        yield [(port, process.pid) for port, process in started]
    finally:
        for _port, process in started:
            process.terminate()
        for _port, process in started:
            process.wait(timeout=30)


def _answers(port: int) -> bool:
    try:
        return _request(port, "GET", "/v/done/")[0] == 200
    except OSError:
        return False


def _request(port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location", "")
    finally:
        conn.close()


def _vote(port: int, token: str, body: bytes) -> int | None:
    """The HTTP status of one submission; None when no answer came (connection reset, timeout)."""
    try:
        status, location = _request(port, "POST", f"/v/{token}/", body)
    except (OSError, http.client.HTTPException):
        return None
    assert status != 302 or location == "/v/done/"
    return status


def _ballot(meeting, grade: str = Grade.FAIRLY_GOOD) -> bytes:
    return urlencode({f"grade_{reporter}": grade for reporter in meeting.agenda}).encode()


def test_simultaneous_submissions_of_one_code_on_two_servers_give_one_ballot(cast):
    meeting = county_meeting(cast, classes=(("党员群众代表", 12),), class_weights={"*": 100})
    codes = tokens(meeting, "党员群众代表")
    body = _ballot(meeting)
    with _servers(2, threads=4) as servers:
        ports = [port for port, _pid in servers]
        start = threading.Barrier(2 * len(codes), timeout=30)

        def submit(port: int, token: str) -> int | None:
            start.wait()  # every code sent to both servers at the same moment
            return _vote(port, token, body)

        with ThreadPoolExecutor(2 * len(codes)) as pool:
            sent = {token: [pool.submit(submit, port, token) for port in ports] for token in codes}
            answers = {token: sorted((f.result() for f in both), key=str) for token, both in sent.items()}
    assert all(found == [302, 409] for found in answers.values()), answers
    assert CodeUse.objects.count() == Ballot.objects.count() == len(codes)
    assert BallotMark.objects.count() == len(codes) * len(meeting.agenda)


def _workers(master: int) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[1]) == master:
                    found.append(int(pid))
        except (OSError, ValueError):
            continue
    return found


def test_workers_killed_mid_burst_lose_no_ballot_and_double_none(cast):
    meeting = county_meeting(cast, classes=(("党员群众代表", 240),), class_weights={"*": 100})
    codes = tokens(meeting, "党员群众代表")
    body = _ballot(meeting)
    with _servers(1, workers=2, threads=4) as [(port, master)]:
        answered = threading.Semaphore(0)

        def submit(token: str) -> int | None:
            status = _vote(port, token, body)
            answered.release()
            return status

        with ThreadPoolExecutor(16) as pool:
            first = pool.map(submit, codes)
            for _i in range(len(codes) // 3):
                answered.acquire(timeout=30)
            # in the middle of the burst, every worker: one alone may be idle, the other having
            # taken every connection (a CI run found the one killed serving nobody)
            for worker in _workers(master):
                os.kill(worker, signal.SIGKILL)
            answers = dict(zip(codes, first, strict=True))
        lost = [token for token, status in answers.items() if status is None]
        assert lost, "the killed workers were serving nobody: no request was cut off"
        deadline = time.monotonic() + 30
        while len(_workers(master)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)  # the master starts workers in place of the killed ones
        retried = {token: _vote(port, token, body) for token in lost}
    assert set(answers.values()) <= {302, None}, answers
    assert set(retried.values()) <= {302, 409}, retried  # a ballot, or "already used": never a second one
    succeeded = {token for token, status in (answers | retried).items() if status == 302}
    answer_lost = {
        token for token, status in retried.items() if status == 409
    }  # cast, but the answer was lost
    pks = {code.token: code.pk for code in BallotCode.objects.filter(meeting=meeting)}
    used = set(CodeUse.objects.values_list("code_id", flat=True))
    assert used == {pks[token] for token in succeeded | answer_lost}  # every success counted, and only those
    assert Ballot.objects.count() == len(used)  # none twice
    assert BallotMark.objects.count() == len(used) * len(meeting.agenda)
