"""The quick start as `make run` serves it (bin/serve: gunicorn with config/gunicorn.py and the
background worker beside it, on the embedded database): a real vote is cast through it, and no
log it writes (standard output, standard error, the access log) holds the ballot code.

The platform runs in processes of its own on a database of its own (a fresh SQLite file in the
test's folder), whichever database the suite runs on."""

import http.client
import json
import os
import runpy
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from shuzhi.core.grades import Grade
from shuzhi.testing.servers import ROOT, Visitor, free_port, wait_until_serving

# a county meeting with codes, voting open, made through the real services; prints what the
# test needs as JSON on the last line
SETUP = """
import json
from django.core.management import call_command
call_command("migrate", verbosity=0)
from shuzhi.testing.cast import build_cast
from shuzhi.testing.meetings import county_meeting, tokens
meeting = county_meeting(build_cast())
print(json.dumps({"agenda": meeting.agenda, "tokens": tokens(meeting, "党员群众代表")}))
"""


def _env(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHUZHI_", "DATABASE_URL", "DJANGO_"))}
    return env | {"SHUZHI_DATA_DIR": str(data_dir), "PORT": str(port), "SHUZHI_LOG_LEVEL": "INFO"}


def _group_alive(pgid: int) -> list[int]:
    alive = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(pid))
    return alive


def test_a_vote_served_as_make_run_serves_it_leaves_its_code_in_no_log(tmp_path):
    data_dir, port = tmp_path / "var", free_port()
    env = _env(data_dir, port)
    made = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", SETUP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    meeting = json.loads(made.stdout.strip().splitlines()[-1])
    token, used_elsewhere = meeting["tokens"][:2]
    ballot = {f"grade_{reporter}": Grade.GOOD for reporter in meeting["agenda"]}
    # the access log is off in the quick start; here it is on, to show that it is masked too
    env["SHUZHI_ACCESS_LOG"] = str(data_dir / "access.log")
    out, err = (tmp_path / "stdout.log").open("wb"), (tmp_path / "stderr.log").open("wb")
    serve = subprocess.Popen(  # noqa: S603
        [str(ROOT / "bin/serve")], cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True
    )
    try:
        wait_until_serving(serve, port, path="/v/done/", what="bin/serve")
        phone, base = Visitor(), f"http://127.0.0.1:{port}"
        assert phone.get(f"{base}/v/{token}/")[0] == 200
        status, page = phone.post(f"{base}/v/{token}/", ballot)  # the Referer names the code too
        assert status == 200 and "投票成功" in page.decode()
        assert phone.post(f"{base}/v/{token}/", ballot)[0] == 409  # used: refused, and logged as such
        assert phone.get(f"{base}/v/{used_elsewhere[::-1]}/")[0] == 404  # no such code: logged as not found
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", f"/v/{used_elsewhere}/" + "x" * 5000)  # too long a request line for gunicorn
        assert conn.getresponse().status == 414
        conn.close()
        assert phone.get(f"{base}/static/css/shuzhi.css")[0] == 200  # WhiteNoise still serves them
    finally:
        os.killpg(serve.pid, signal.SIGINT)  # Ctrl+C, to the whole group as a terminal sends it
        try:
            serve.wait(timeout=60)
        finally:
            out.close()
            err.close()
    deadline = time.monotonic() + 30
    while _group_alive(serve.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _group_alive(serve.pid) == [], "Ctrl+C left the worker or a web process running"

    with sqlite3.connect(data_dir / "shuzhi.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM ballots_ballot").fetchone() == (1,)
    logs = {
        "stdout": (tmp_path / "stdout.log").read_text(),
        "stderr": (tmp_path / "stderr.log").read_text(),
        "access log": (data_dir / "access.log").read_text(),
    }
    logs |= {str(p): p.read_text() for p in data_dir.rglob("*.log") if p.name != "access.log"}
    assert "Listening at" in logs["stderr"] and "Starting worker" in logs["stderr"]  # both were up
    assert logs["access log"].count('"POST /v/***/ HTTP/1.1" 302') == 1  # the ballot, then the thanks page
    assert 'POST /v/***/ HTTP/1.1" 409' in logs["access log"]
    assert "Not Found: /v/***/" in logs["stderr"]
    for name, text in logs.items():
        for code in (token, used_elsewhere, used_elsewhere[::-1]):
            assert code not in text and code[:8] not in text, f"a ballot code in {name}"


def test_gunicorn_keeps_no_access_log_unless_one_is_named(monkeypatch):
    for name in ("SHUZHI_ACCESS_LOG", "SHUZHI_WEB_WORKERS", "SHUZHI_WEB_THREADS"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(ROOT / "config/gunicorn.py"))
    assert config["accesslog"] is None
    assert (config["workers"], config["threads"], config["worker_class"]) == (2, 4, "gthread")
    assert config["control_socket_disable"] is True
