"""A served app holds a bounded number of PostgreSQL connections whatever the load: gunicorn as
config/gunicorn.py sets it up (2 workers × 4 threads, one persistent connection per thread at
most: 8), with 50 and then 200 voters submitting at the same moment, each on a connection of
their own. Django's development server, which the quick start used before, opened one per
request: 50 voters exhausted PostgreSQL's 100 connections ("too many clients").

PostgreSQL only: the server is another process, so the data must be committed (transaction=True)."""

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from shuzhi.ballots.models import Ballot, CodeUse
from shuzhi.core.grades import Grade
from shuzhi.testing.meetings import county_meeting, tokens
from shuzhi.testing.servers import app_env, database_url, gunicorn

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: the app server process shares the test database (.ci/run runs the suite on both)",
    ),
    pytest.mark.django_db(transaction=True),
]

NAME = "shuzhi-served-test"  # the served process's application_name, to count its connections only
BOUND = 2 * 4  # config/gunicorn.py's default workers × threads, as the README states


class ConnectionCounter:
    """Counts the served process's connections to the database every 20 ms, from a connection of
    its own, until stopped; keeps the largest count seen."""

    def __init__(self, url: str) -> None:
        self.url, self.most, self.samples = url, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> int:
        with psycopg.connect(self.url) as conn:
            return self._count(conn)

    @staticmethod
    def _count(conn) -> int:
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s"
        return conn.execute(query, [NAME]).fetchone()[0]

    def _run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.wait(0.02):
                self.most = max(self.most, self._count(conn))
                self.samples += 1

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def _vote(port: int, token: str, body: bytes, start: threading.Barrier) -> int | None:
    start.wait()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(
            "POST", f"/v/{token}/", body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        response = conn.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def test_fifty_and_then_two_hundred_simultaneous_voters_never_take_more_than_the_bound(cast, tmp_path):
    meeting = county_meeting(cast, classes=(("党员群众代表", 250),), class_weights={"*": 100})
    codes = tokens(meeting, "党员群众代表")
    body = urlencode({f"grade_{reporter}": Grade.FAIRLY_GOOD for reporter in meeting.agenda}).encode()
    url = database_url(connection.settings_dict)
    env = app_env(
        settings, tmp_path / "var", DATABASE_URL=f"{url}?application_name={NAME}", SHUZHI_LOG_LEVEL="WARNING"
    )
    log = tmp_path / "gunicorn.log"
    answers, peaks, between = [], [], []
    with gunicorn(env, workers=2, threads=4, log=log) as served:
        for voters in (codes[:50], codes[50:]):
            start = threading.Barrier(len(voters), timeout=60)
            with ConnectionCounter(url) as counter, ThreadPoolExecutor(len(voters)) as pool:
                answers += pool.map(lambda token: _vote(served.port, token, body, start), voters)  # noqa: B023
            assert counter.samples > 0
            peaks.append(counter.most)
            between.append(counter.now())  # left open for the next requests: never more than the bound
    assert answers == [302] * len(codes)
    assert all(0 < peak <= BOUND for peak in peaks), peaks
    assert all(left <= BOUND for left in between), between
    assert (
        CodeUse.objects.filter(meeting=meeting).count()
        == Ballot.objects.filter(meeting=meeting).count()
        == 250
    )
    text = log.read_text()
    assert "too many clients" not in text and "Internal Server Error" not in text
