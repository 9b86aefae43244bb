"""Database connections of one served app under a crowd: gunicorn as config/gunicorn.py sets it up
(gthread, SHUZHI_WEB_WORKERS × SHUZHI_WEB_THREADS, persistent connections) on PostgreSQL, with 50
and then 200 phones submitting ballots at the same moment, each on a connection of its own.

Figures per burst: the most connections the served process held (pg_stat_activity, sampled every
20 ms by application_name), how many it keeps open afterwards, the answers other than success,
and the phones' p50/p99. The bound is workers × threads whatever the crowd; the baseline is that
bound, computed from the settings (Django's development server, which `make run` used before,
opened one connection per request and ran out of PostgreSQL's 100 at 50 voters; it is not run
here, since exhausting a shared server's connections would fail everyone else's work).

    python benchmarks/served_connections.py
    SHUZHI_WEB_WORKERS=4 SHUZHI_WEB_THREADS=2 python benchmarks/served_connections.py
"""

import http.client
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _pgdb import fresh_database  # noqa: E402

DATABASE = os.environ.get("BENCH_CONNECTIONS_DB", "shuzhi_bench_connections")
NAME = "shuzhi-bench-served"
BURSTS = (50, 200)


def build(total: int):
    """A county, three reporters and one meeting with `total` codes, voting open."""
    from django.utils import timezone

    from shuzhi.accounts.models import User
    from shuzhi.ballots.models import BallotCode
    from shuzhi.ballots.services import codes_issue, meeting_create, voter_class_add, voting_open
    from shuzhi.cycles.rules import default_scheme
    from shuzhi.cycles.services import cycle_advance, cycle_create, reporters_add
    from shuzhi.orgs.services import organization_create

    county = organization_create(actor=None, parent=None, name="中共东湖区委员会", code="3201", kind="committee",
                                 level="county", field="agency")  # fmt: skip
    units = [
        organization_create(actor=None, parent=county, name=f"中共东湖区第{i + 1:02d}镇委员会", code=f"3201{i + 1:03d}",
                            kind="committee", level="township", field="rural")
        for i in range(3)
    ]  # fmt: skip
    User.objects.bulk_create(
        User(username=f"sec{i}", full_name=f"书记{i}", role="secretary", organization=unit, password="!")
        for i, unit in enumerate(units)
    )
    organiser = User.objects.create(
        username="organiser", full_name="区委组织部", role="organiser", organization=county
    )
    today = timezone.localdate()
    scheme = {**default_scheme(), "class_weights": {"*": 100}}  # one class of voters
    cycle = cycle_create(actor=organiser, year=today.year, title="东湖区年度述职评议", groups=["乡镇街道"],
                         report_due=today, meeting_on=today, scheme=scheme)  # fmt: skip
    reporters_add(actor=organiser, cycle=cycle, organizations=units, group="乡镇街道", mode="onsite")
    cycle = cycle_advance(actor=organiser, cycle=cycle_advance(actor=organiser, cycle=cycle))
    meeting = meeting_create(actor=organiser, cycle=cycle, title="东湖区述职评议会", held_on=today)
    voter_class_add(actor=organiser, meeting=meeting, name="党员群众代表", ballots=total)
    codes_issue(actor=organiser, meeting=meeting)
    meeting = voting_open(actor=organiser, meeting=meeting)
    return meeting, [code.token for code in BallotCode.objects.filter(meeting=meeting)]


def count(conn) -> int:
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s"
    )
    return conn.execute(query, [NAME]).fetchone()[0]


def burst(port: int, tokens: list[str], body: bytes, url: str) -> tuple[int, Counter, list[float]]:
    """Every token at once; returns the most connections seen, the statuses, the latencies (ms)."""
    most, stop = [0], threading.Event()

    def sample() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            while not stop.wait(0.02):
                most[0] = max(most[0], count(conn))

    start = threading.Barrier(len(tokens), timeout=60)

    def vote(token: str) -> tuple[int | None, float]:
        start.wait()
        began = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.request("POST", f"/v/{token}/", body=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
            response = conn.getresponse()
            response.read()
            return response.status, (time.perf_counter() - began) * 1000
        except (OSError, http.client.HTTPException):
            return None, (time.perf_counter() - began) * 1000
        finally:
            conn.close()

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with ThreadPoolExecutor(len(tokens)) as pool:
            results = list(pool.map(vote, tokens))
    finally:
        stop.set()
        sampler.join()
    return most[0], Counter(status for status, _ms in results), sorted(ms for _status, ms in results)


def main() -> None:
    url = fresh_database(DATABASE)
    data_dir = tempfile.mkdtemp(prefix="shuzhi-bench-connections-")
    try:
        os.environ.update({"SHUZHI_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "config.settings"})
        import django

        django.setup()
        from django.db import connections

        from shuzhi.core.grades import Grade
        from shuzhi.testing.servers import gunicorn

        meeting, tokens = build(sum(BURSTS))
        connections.close_all()
        workers = int(os.environ.get("SHUZHI_WEB_WORKERS", 2))
        threads = int(os.environ.get("SHUZHI_WEB_THREADS", 4))
        body = urlencode({f"grade_{reporter}": Grade.FAIRLY_GOOD for reporter in meeting.agenda}).encode()
        env = {**os.environ, "DATABASE_URL": f"{url}?application_name={NAME}", "SHUZHI_HTTPS": "0",
               "SHUZHI_ALLOWED_HOSTS": "127.0.0.1", "SHUZHI_LOG_LEVEL": "WARNING"}  # fmt: skip
        print(
            f"gunicorn gthread, {workers} workers × {threads} threads: at most {workers * threads} connections"
        )
        print(f"BENCH served_connections_bound {workers * threads} connections")
        with gunicorn(env, workers=workers, threads=threads) as served, psycopg.connect(url) as watcher:
            offset = 0
            for size in BURSTS:
                most, statuses, ms = burst(served.port, tokens[offset : offset + size], body, url)
                offset += size
                time.sleep(0.5)
                after = count(watcher)
                failed = sum(n for status, n in statuses.items() if status != 302)
                print(f"{size:4d} voters at once: at most {most} connections, {after} left open after; "
                      f"answers {dict(statuses)}; p50 {ms[len(ms) // 2]:.0f} ms, p99 {ms[int(len(ms) * 0.99) - 1]:.0f} ms")  # fmt: skip
                print(f"BENCH served_connections_peak_{size} {most} connections")
                print(f"BENCH served_connections_after_{size} {after} connections")
                print(f"BENCH served_failed_{size} {failed} requests")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
