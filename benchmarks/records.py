"""Organisational life at city scale (21,800 organisations, about 650,000 records of a year):
the roll-up pages a county and the city open (server time, in-process, p95 and queries), and the
`records.org_life_rate` fact for 2,000 reporting units, on PostgreSQL; the login page in the
same run as the baseline. Goals: roll-up p95 < 150 ms, the fact for 2,000 units < 2 s.

    python benchmarks/records.py
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

REQUESTS, WARMUP, REPORTERS = 40, 5, 2000


def main() -> None:
    setup_django(city_database())
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from shuzhi.accounts.models import User
    from shuzhi.core import facts
    from shuzhi.demo.services import demo_records_ensure
    from shuzhi.orgs.models import Organization
    from shuzhi.records.models import Completion, Meeting

    today = timezone.localdate()
    year = today.year - 1
    root = Organization.objects.get(depth=1)
    if not Meeting.objects.filter(held_on__year=year).exists():
        started = time.perf_counter()
        written = demo_records_ensure(root=root, year=year, until=today, seed=1, attendance=False)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"wrote {written:,} records of {year} in {time.perf_counter() - started:.1f} s", flush=True)
    branches = Organization.objects.filter(kind="branch").count()
    print(f"{Organization.objects.count():,} organisations, {branches:,} branches, "
          f"{Meeting.objects.filter(held_on__year=year).count():,} records of {year}, "
          f"{Completion.objects.filter(year=year, met=True).count():,} branches met the year")  # fmt: skip
    county = Organization.objects.filter(depth=2, level="county").order_by("-total_organizations").first()
    organiser, _ = User.objects.get_or_create(username="bench_records", defaults={"role": "organiser", "organization": root,
                                                                                 "full_name": "市委组织部"})  # fmt: skip
    pages = {
        "baseline: login page": (None, "/accounts/login/"),
        "city records page": (organiser, f"/records/orgs/{root.pk}/?year={year}"),
        "county records page": (organiser, f"/records/orgs/{county.pk}/?year={year}"),
        "city panel on the org page": (organiser, f"/records/orgs/{root.pk}/panel/?year={year}"),
        "county's branches that missed": (
            organiser,
            f"/records/orgs/{county.pk}/branches/?year={year}&status=missed",
        ),
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
    worst = max(p95s, key=p95s.get)
    print(f"worst: {worst} ({p95s[worst] / baseline:.1f}x the login page)")

    units = list(Organization.objects.exclude(kind="branch").order_by("path")[:REPORTERS])
    subjects = [facts.Subject(id=o.pk, path=o.path, name=o.name) for o in units]
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        found = facts.collect("records.org_life_rate", year=year, subjects=subjects)
        runs.append(time.perf_counter() - started)
    rated = sum(1 for f in found.values() if f.value is not None)
    print(f"records.org_life_rate for {len(subjects)} units: best {min(runs):.2f} s, worst {max(runs):.2f} s "
          f"({rated} with a value)")  # fmt: skip
    print(f"BENCH records_rollup_ms {p95s[worst]:.1f} ms")
    print(f"BENCH facts_component_s {max(runs):.2f} s")


if __name__ == "__main__":
    main()
