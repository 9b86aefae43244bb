"""发展党员 at city scale (21,800 organisations, 290,000 members, about 1% of members a year
applying: some 4,000 people on the path with their steps): the pipeline board of the largest
county and of the city (server time, in-process, p95 and queries) on PostgreSQL; the login page
in the same run as the baseline. Goal: the county's board p95 < 150 ms.

    BENCH_CITY_DB=wt_path_city python benchmarks/lifecycle.py
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

REQUESTS, WARMUP = 40, 5


def main() -> None:
    setup_django(city_database())
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from shuzhi.accounts.models import User
    from shuzhi.demo.lifecycle import city_organiser, demo_pipeline_ensure, demo_transfers_ensure
    from shuzhi.lifecycle.models import Applicant, StepRecord, Transfer
    from shuzhi.orgs.models import Organization

    root = Organization.objects.get(depth=1)
    if not Applicant.objects.exists():
        started = time.perf_counter()
        people = demo_pipeline_ensure(root=root, today=timezone.localdate(), seed=1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"wrote {people:,} people on the path in {time.perf_counter() - started:.1f} s", flush=True)
    if not Transfer.objects.exists():
        started = time.perf_counter()
        moved = demo_transfers_ensure(
            root=root, today=timezone.localdate(), seed=1, actor=city_organiser(root)
        )
        print(f"wrote {moved:,} transfers in {time.perf_counter() - started:.1f} s", flush=True)
    print(f"{Organization.objects.count():,} organisations, {Applicant.objects.count():,} people on the path, "
          f"{StepRecord.objects.count():,} steps recorded")  # fmt: skip
    county = Organization.objects.filter(depth=2, level="county").order_by("-total_organizations").first()
    organiser, _ = User.objects.get_or_create(username="bench_lifecycle", defaults={
        "role": "organiser", "organization": root, "full_name": "市委组织部"})  # fmt: skip
    in_county = Applicant.objects.filter(org_path__startswith=county.path).count()
    print(
        f"largest county: {county.name}, {county.total_organizations:,} organisations, {in_county:,} people"
    )
    pages = {
        "baseline: login page": (None, "/accounts/login/"),
        "county pipeline board": (organiser, f"/lifecycle/orgs/{county.pk}/"),
        "county board, one stage": (organiser, f"/lifecycle/orgs/{county.pk}/?stage=candidate"),
        "city pipeline board": (organiser, f"/lifecycle/orgs/{root.pk}/"),
        "county headcount as of a day": (organiser, f"/lifecycle/orgs/{county.pk}/headcount/?day=2024-01-01"),
        "county transfers": (organiser, f"/lifecycle/orgs/{county.pk}/transfers/"),
    }
    p95s = {}
    for label, (user, url) in pages.items():
        client = Client(HTTP_HOST="127.0.0.1")
        if user is not None:
            client.force_login(user)
        times, queries = measure(client, url, requests=REQUESTS, warmup=WARMUP)
        p95 = times[int(len(times) * 0.95) - 1]
        p95s[label] = p95
        print(f"{label:32s} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  {queries} queries")
    baseline = p95s.pop("baseline: login page")
    print(f"county board: {p95s['county pipeline board'] / baseline:.1f}x the login page")
    print(f"BENCH pipeline_board_ms {p95s['county pipeline board']:.1f} ms")
    print(f"BENCH transfers_page_ms {p95s['county transfers']:.1f} ms")
    print(f"BENCH headcount_as_of_ms {p95s['county headcount as of a day']:.1f} ms")


if __name__ == "__main__":
    main()
