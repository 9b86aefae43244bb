"""Members' files at city scale (21,800 organisations, 290,000 members, scans for 30% of them,
about half of those complete): the files completeness page of the largest county and of the
city (server time, in-process, p95 and queries) on PostgreSQL; the login page in the same run as
the baseline. Goal: the county's page p95 < 150 ms.

    BENCH_CITY_DB=wt_dossiers_city python benchmarks/dossiers.py
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
    from shuzhi.demo.dossiers import files_write
    from shuzhi.dossiers.models import Scan
    from shuzhi.orgs.models import Organization

    root = Organization.objects.get(depth=1)
    if not Scan.objects.exists():
        started = time.perf_counter()
        written = files_write(root=root, seed=1, share=0.3, today=timezone.localdate())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"wrote {written:,} scan rows in {time.perf_counter() - started:.1f} s", flush=True)
    print(f"{Organization.objects.count():,} organisations, {Scan.objects.count():,} scan rows")
    county = Organization.objects.filter(depth=2, level="county").order_by("-total_organizations").first()
    township = (
        Organization.objects.filter(depth=3, path__startswith=county.path).order_by("-total_members").first()
    )
    organiser, _ = User.objects.get_or_create(username="bench_dossiers", defaults={
        "role": "organiser", "organization": root, "full_name": "市委组织部"})  # fmt: skip
    print(f"largest county: {county.name}, {county.total_organizations:,} organisations, "
          f"{county.total_members:,} members")  # fmt: skip
    pages = {
        "baseline: login page": (None, "/accounts/login/"),
        "county files page": (organiser, f"/files/orgs/{county.pk}/"),
        "township files page": (organiser, f"/files/orgs/{township.pk}/"),
        "city files page": (organiser, f"/files/orgs/{root.pk}/"),
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
    print(f"county files page: {p95s['county files page'] / baseline:.1f}x the login page")
    print(f"BENCH login_page_ms {baseline:.1f} ms")
    print(f"BENCH files_page_ms {p95s['county files page']:.1f} ms")
    print(f"BENCH files_page_city_ms {p95s['city files page']:.1f} ms")


if __name__ == "__main__":
    main()
