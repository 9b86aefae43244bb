"""The cycle page of a cycle of 2,000 reporters: server-side time (Django's full request handling,
in-process: middleware, session, queries, templates), p95 over repeated requests, and the number
of queries, on PostgreSQL. The page shows the whole cycle's counts and one page of reporters;
the login page is measured in the same run as the baseline. Goal: < 150 ms.

    python benchmarks/cycle_page.py
    BENCH_POSTGRES=postgres://user@host:5432 ...  # another PostgreSQL server
"""

import os
import random
import statistics
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _pgdb import city_units, fresh_database, measure  # noqa: E402

DATABASE = "shuzhi_bench_cycle"
REPORTERS = 2000
REQUESTS, WARMUP = 60, 5


def build() -> tuple:
    """A city with 2,000 units under it, each with a secretary account; a cycle naming them all,
    open for reports, the reports in every state."""
    from django.utils import timezone

    from shuzhi.accounts.models import User
    from shuzhi.cycles.services import cycle_advance, cycle_create, reporters_add
    from shuzhi.reports.models import Report

    root, units = city_units(REPORTERS)
    secretaries = [User(username=f"sec{i}", full_name=f"书记{i}", role="secretary", organization=unit, password="!")
                   for i, unit in enumerate(units)]  # fmt: skip
    User.objects.bulk_create(secretaries)
    organiser = User.objects.create(
        username="organiser", full_name="市委组织部", role="organiser", organization=root
    )
    today = timezone.localdate()
    cycle = cycle_create(actor=organiser, year=today.year, title="全市述职评议", groups=["县区", "市直机关", "国企", "高校"],
                         report_due=today + timedelta(days=10), meeting_on=today + timedelta(days=20))  # fmt: skip
    for g, group in enumerate(cycle.groups):
        reporters_add(actor=organiser, cycle=cycle, organizations=units[g::4], group=group, mode="onsite")
    cycle = cycle_advance(actor=organiser, cycle=cycle)
    rng = random.Random(1)
    reports = list(Report.objects.filter(reporter__cycle=cycle))
    for report in reports:
        report.status = rng.choice(Report.Status.values)
    Report.objects.bulk_update(reports, ["status"])
    return organiser, cycle


def main() -> None:
    os.environ["DATABASE_URL"] = fresh_database(DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.test import Client

    organiser, cycle = build()
    pages = {
        "baseline: login page": (None, "/accounts/login/"),
        "cycle page (2,000 reporters)": (organiser, f"/cycles/{cycle.pk}/"),
        "cycle page, filtered by group and status": (
            organiser,
            f"/cycles/{cycle.pk}/?group=国企&status=draft",
        ),
        "cycle page, last page": (organiser, f"/cycles/{cycle.pk}/?page=40"),
        "cycles roll-up": (organiser, "/cycles/"),
    }
    p95s, counts = {}, {}
    for label, (user, url) in pages.items():
        client = Client(HTTP_HOST="127.0.0.1")
        if user is not None:
            client.force_login(user)
        times, queries = measure(client, url, requests=REQUESTS, warmup=WARMUP)
        p95 = times[int(len(times) * 0.95) - 1]
        p95s[label], counts[label] = p95, queries
        print(f"{label:42s} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  {queries} queries")
    baseline = p95s.pop("baseline: login page")
    worst = max((label for label in p95s if label.startswith("cycle page")), key=p95s.get)
    print(f"worst: {worst} ({p95s[worst] / baseline:.1f}x the login page); queries per cycle page: "
          f"{sorted({counts[label] for label in p95s if label.startswith('cycle page')})}")  # fmt: skip
    print(f"BENCH cycle_page_ms {p95s[worst]:.1f} ms")


if __name__ == "__main__":
    main()
