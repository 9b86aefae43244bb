"""党内统计 at city scale (21,800 organisations, 290,000 members): the full statistics of the city
for one date (every table of the page, server time in-process) and a drill-down list's p95 over
the page's own figures, on PostgreSQL; the same page on SQLite when a SQLite copy of the city is
built (`--sqlite DIR`, generated there on first use). Baselines in the same run: SELECT count(*)
of the members table, and the login page. Goals: city < 500 ms (PostgreSQL), < 1.5 s (SQLite);
drill-down p95 < 150 ms. The chart pages (trends across five years, the counties side by side)
are timed beside them.

    BENCH_CITY_DB=wt_stats_city python benchmarks/stats.py [--sqlite /tmp/stats_sqlite_city]
"""

import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

PAGE_RUNS, DRILLS, WARMUP = 7, 40, 2


def _timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def _measure(prefix: str) -> dict[str, float]:
    """Time the baselines, the city's page for two dates, and the drill-downs; print and return."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from shuzhi.accounts.models import User
    from shuzhi.members.models import Member
    from shuzhi.orgs.models import Organization

    root = Organization.objects.get(depth=1)
    organiser, _ = User.objects.get_or_create(username="bench_stats", defaults={
        "role": "organiser", "organization": root, "full_name": "市委组织部"})  # fmt: skip
    print(f"{prefix}: {Organization.objects.count():,} organisations, {Member.objects.count():,} members")

    def count_members():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {Member._meta.db_table}")
            cursor.fetchone()

    def scan_members():  # a count that reads every row (SQLite answers a bare count(*) from its b-tree)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {Member._meta.db_table} WHERE length(name) > 0")
            cursor.fetchone()

    count_members()
    count_ms = statistics.median(_timed(count_members, PAGE_RUNS))
    scan_ms = statistics.median(_timed(scan_members, PAGE_RUNS))
    anonymous = Client(HTTP_HOST="127.0.0.1")
    login_ms = statistics.median(_timed(lambda: anonymous.get("/accounts/login/", secure=True), PAGE_RUNS))
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(organiser)
    today = timezone.localdate()
    results = {"count": count_ms, "scan": scan_ms, "login": login_ms}
    pages = {
        "city, 31 December": f"/stats/?day={today.year}-12-31",
        "city, 31 January (leavings and transfers as of then)": f"/stats/?day={today.year}-01-31",
        "trends: the city's last 5 years": f"/stats/trends/?day={today.year}-12-31",
        "compare: the city's counties side by side": f"/stats/compare/?day={today.year}-12-31",
    }
    for label, url in pages.items():
        for _ in range(WARMUP):
            assert client.get(url, secure=True).status_code == 200
        times = _timed(lambda url=url: client.get(url, secure=True), PAGE_RUNS)
        results[label] = statistics.median(times)
        print(f"  {label:55s} p50 {statistics.median(times):7.1f} ms  max {times[-1]:7.1f} ms")
    print(f"  baseline: SELECT count(*) of the members table     p50 {count_ms:7.1f} ms")
    print(f"  baseline: a count reading every member row         p50 {scan_ms:7.1f} ms")
    print(f"  baseline: login page                               p50 {login_ms:7.1f} ms")
    from shuzhi.stats import selectors

    with CaptureQueriesContext(connection) as captured:
        tables = selectors.statistics(org=root, day=today.replace(month=12, day=31), today=today)
    print(f"  the city's statistics: {len(captured)} queries")
    urls = [c.url for t in tables for r in t.rows for c in r.cells if c.url]
    random.Random(1).shuffle(urls)
    drills = []
    for url in (urls * 2)[:DRILLS]:
        started = time.perf_counter()
        assert client.get(url, secure=True).status_code == 200
        drills.append((time.perf_counter() - started) * 1000)
    drills.sort()
    results["drill_p95"] = drills[int(len(drills) * 0.95) - 1]
    results["drill_p50"] = statistics.median(drills)
    print(f"  drill-down lists ({len(drills)} of the page's {len(urls)} figures)   p50 {results['drill_p50']:7.1f} ms  "
          f"p95 {results['drill_p95']:7.1f} ms")  # fmt: skip
    return results


def _sqlite(folder: str) -> None:
    from _citydb import setup_django

    os.environ["SHUZHI_DATA_DIR"] = folder
    setup_django("")  # no DATABASE_URL: the embedded SQLite under SHUZHI_DATA_DIR
    from django.core.management import call_command

    from shuzhi.orgs.models import Organization

    call_command("migrate", verbosity=0)
    if not Organization.objects.exists():
        started = time.perf_counter()
        call_command("generate_city", "--seed", "1")
        print(f"built the SQLite city in {time.perf_counter() - started:.0f} s")
    results = _measure("SQLite")
    print(
        f"  city page: {results['city, 31 December'] / results['scan']:.1f}x a count reading every member row"
    )
    print(f"BENCH stats_city_sqlite_ms {results['city, 31 December']:.1f} ms")
    print(f"BENCH stats_drill_sqlite_p95_ms {results['drill_p95']:.1f} ms")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--sqlite-child":
        _sqlite(sys.argv[2])
        return
    from _citydb import city_database, setup_django

    setup_django(city_database())
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores)")
    results = _measure("PostgreSQL")
    print(f"  city page: {results['city, 31 December'] / results['count']:.1f}x a count(*) of the members, "
          f"{results['city, 31 December'] / results['login']:.1f}x the login page")  # fmt: skip
    print(f"BENCH stats_city_ms {results['city, 31 December']:.1f} ms")
    print(
        f"BENCH stats_city_past_ms {results['city, 31 January (leavings and transfers as of then)']:.1f} ms"
    )
    print(f"BENCH stats_drill_p95_ms {results['drill_p95']:.1f} ms")
    for name, label in (
        ("trends", "trends: the city's last 5 years"),
        ("compare", "compare: the city's counties side by side"),
    ):
        print(
            f"  {name}: {results[label] / results['count']:.1f}x a count(*) of the members, "
            f"{results[label] / results['scan']:.1f}x a count reading every row"
        )
        print(f"BENCH stats_{name}_ms {results[label]:.1f} ms")  # fmt: skip
    if len(sys.argv) == 3 and sys.argv[1] == "--sqlite":
        subprocess.run([sys.executable, __file__, "--sqlite-child", sys.argv[2]], check=True)
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores)")


if __name__ == "__main__":
    main()
