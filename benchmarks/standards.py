"""Star rating at city scale (21,800 organisations): rating every branch in one pass (the facts
collected in bulk, the ratings written in batches), and the rating pages a township, a county and
the city open (server time, in-process, p95 and queries), on PostgreSQL; the login page in the
same run as the baseline. Goals: rating every branch < 10 s, a township's page p95 < 150 ms.

    BENCH_CITY_DB=wt_standards_city python benchmarks/standards.py
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
    from shuzhi.demo.services import demo_records_ensure, demo_standards_ensure
    from shuzhi.orgs.models import Organization
    from shuzhi.records.models import Meeting
    from shuzhi.standards.models import Check, Rating
    from shuzhi.standards.services import ratings_compute_all

    today = timezone.localdate()
    year = today.year - 1
    root = Organization.objects.get(depth=1)
    if not Meeting.objects.filter(held_on__year=year).exists():
        started = time.perf_counter()
        written = demo_records_ensure(root=root, year=year, until=today, seed=1, attendance=False)
        print(f"wrote {written:,} records of {year} in {time.perf_counter() - started:.1f} s", flush=True)
    if not Rating.objects.filter(year=year).exists():
        started = time.perf_counter()
        rated = demo_standards_ensure(root=root, year=year, seed=1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"wrote the demo ratings of {rated:,} branches in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    branches = Organization.objects.filter(kind="branch").count()
    print(f"{Organization.objects.count():,} organisations, {branches:,} branches, "
          f"{Rating.objects.filter(year=year).count():,} ratings of {year}, {Check.objects.count():,} checks")  # fmt: skip

    runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        rated = ratings_compute_all(year=year)
        runs.append(time.perf_counter() - started)
    print(f"rating every branch ({rated:,} open or proposed, the confirmed left as decided): "
          f"best {min(runs):.2f} s, worst {max(runs):.2f} s")  # fmt: skip

    township = Organization.objects.filter(level="township").order_by("-total_organizations").first()
    county = Organization.objects.filter(depth=2, level="county").order_by("-total_organizations").first()
    organiser, _ = User.objects.get_or_create(username="bench_standards", defaults={
        "role": "organiser", "organization": root, "full_name": "市委组织部"})  # fmt: skip
    pages = {
        "baseline: login page": (None, "/accounts/login/"),
        "township rating page": (organiser, f"/standards/orgs/{township.pk}/?year={year}"),
        "county rating page": (organiser, f"/standards/orgs/{county.pk}/?year={year}"),
        "city rating page": (organiser, f"/standards/orgs/{root.pk}/?year={year}"),
    }
    p95s = {}
    for label, (user, url) in pages.items():
        client = Client(HTTP_HOST="127.0.0.1")
        if user is not None:
            client.force_login(user)
        times, queries = measure(client, url, requests=REQUESTS, warmup=WARMUP)
        p95 = times[int(len(times) * 0.95) - 1]
        p95s[label] = p95
        print(f"{label:24s} p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  {queries} queries")
    baseline = p95s["baseline: login page"]
    print(f"township page: {p95s['township rating page'] / baseline:.1f}x the login page "
          f"({township.name}, {township.total_organizations} organisations)")  # fmt: skip
    print(f"BENCH rating_all_s {max(runs):.2f} s")
    print(f"BENCH rating_page_ms {p95s['township rating page']:.1f} ms")


if __name__ == "__main__":
    main()
