"""软弱涣散 at city scale (21,800 organisations, 290,000 members, a year of organisational life):
every flag of every grassroots organisation computed in bulk, and the watch list and flags pages
a city and a county organiser open (server time, in-process, p95 and queries), on PostgreSQL; the
login page in the same run as the baseline; the 基本保障 compliance page (every village's figures
judged against the floors) for the city and a county. Goals: all flags < 10 s, the pages' p95 < 150 ms.

    python benchmarks/weakorgs.py
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _citydb import city_database, setup_django  # noqa: E402
from _pgdb import measure  # noqa: E402

REQUESTS, WARMUP, RUNS = 40, 5, 3


def main() -> None:
    setup_django(city_database())
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from shuzhi.accounts.models import User
    from shuzhi.demo.services import city_weak_list, demo_records_ensure
    from shuzhi.orgs.models import Organization
    from shuzhi.records.models import Meeting
    from shuzhi.weakorgs.models import Entry, Flag
    from shuzhi.weakorgs.services import flags_compute

    today = timezone.localdate()
    year = today.year - 1
    root = Organization.objects.get(depth=1)
    if not Meeting.objects.filter(held_on__year=year).exists():
        started = time.perf_counter()
        written = demo_records_ensure(root=root, year=year, until=today, seed=1, attendance=False)
        print(f"wrote {written:,} records of {year} in {time.perf_counter() - started:.1f} s", flush=True)
    listed = city_weak_list(root=root, year=year)
    if listed:
        print(f"listed {listed:,} organisations of {year}", flush=True)
    from shuzhi.demo.guarantees import guarantees_write

    figures = guarantees_write(root=root, year=year, seed=1)
    if figures:
        print(f"wrote {figures:,} villages' guarantee figures of {year}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run = flags_compute(year=year)
        runs.append(time.perf_counter() - started)
    print(f"{Organization.objects.count():,} organisations, {run.organizations:,} grassroots judged, "
          f"{run.flagged:,} flagged ({Flag.objects.filter(year=year).count():,} flags), "
          f"{Entry.objects.filter(year=year).count():,} on the {year} list")  # fmt: skip
    print(f"all flags: best {min(runs):.2f} s, worst {max(runs):.2f} s")

    county = Organization.objects.filter(depth=2, level="county").order_by("-total_organizations").first()
    city_org, _ = User.objects.get_or_create(username="bench_weak", defaults={"role": "organiser", "organization": root,
                                                                             "full_name": "市委组织部"})  # fmt: skip
    county_org, _ = User.objects.get_or_create(username="bench_weak_county", defaults={
        "role": "organiser", "organization": county, "full_name": "区委组织部"})  # fmt: skip
    pages = {
        "baseline: login page": (None, "/accounts/login/"),
        "city watch list": (city_org, f"/weak/list/?year={year}"),
        "county watch list": (county_org, f"/weak/list/?year={year}"),
        "city flags page": (city_org, f"/weak/?year={year}"),
        "county flags page": (county_org, f"/weak/?year={year}"),
        "city guarantees page": (city_org, f"/weak/guarantees/?year={year}"),
        "county guarantees page": (county_org, f"/weak/guarantees/?year={year}"),
    }
    p95s = {}
    for label, (user, url) in pages.items():
        client = Client(HTTP_HOST="127.0.0.1")
        if user is not None:
            client.force_login(user)
        times, queries = measure(client, url, requests=REQUESTS, warmup=WARMUP)
        p95 = times[int(len(times) * 0.95) - 1]
        p95s[label] = p95
        print(f"{label:24s} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  {queries} queries")
    baseline = p95s.pop("baseline: login page")
    worst = max(p95s, key=p95s.get)
    print(f"worst: {worst} ({p95s[worst] / baseline:.1f}x the login page)")
    print(f"BENCH weak_flags_s {max(runs):.2f} s")
    print(f"BENCH watchlist_ms {max(p95s['city watch list'], p95s['county watch list']):.1f} ms")
    print(f"BENCH guarantees_ms {max(p95s['city guarantees page'], p95s['county guarantees page']):.1f} ms")


if __name__ == "__main__":
    main()
