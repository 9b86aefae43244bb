"""The organiser's workbench (the home page) on the shared city (21,800 organisations, 290,000
members, PostgreSQL): server-side time, p95 over repeated requests, and its queries, against the
login page in the same run. The city organiser's cycle names 2,000 units with reports in every
state and past its deadline; 6,000 rectification items (a tenth overdue), 800 weak organisations
(half without a plan) and the units' project round are added once. Goal: < 150 ms.

    python benchmarks/workbench.py
    BENCH_CITY_DB=wt_workbench_city python benchmarks/workbench.py   # one's own copy of the city
"""

import random
import statistics
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _citydb import city_database, setup_django  # noqa: E402
from _pgdb import measure  # noqa: E402

REQUESTS, WARMUP, REPORTERS, ITEMS, WEAK = 60, 5, 2000, 6000, 800
TITLE = "全市述职评议（工作台基准）"


def build(root, organiser):
    """The organiser's year, written once (kept in the city database for the next run)."""
    from django.db import connection
    from django.utils import timezone

    from shuzhi.cycles.models import Cycle
    from shuzhi.cycles.services import cycle_advance, cycle_create, reporters_add
    from shuzhi.orgs.models import Organization
    from shuzhi.projects import rules as project_rules
    from shuzhi.projects.services import round_open
    from shuzhi.rectification.models import Item
    from shuzhi.reports.models import Report
    from shuzhi.weakorgs.models import Entry

    today = timezone.localdate()
    cycle = Cycle.objects.filter(organization=root, year=today.year).first()
    if cycle is not None:
        return cycle
    rng = random.Random(1)
    units = list(
        Organization.objects.filter(depth__in=(2, 3)).exclude(kind="branch").order_by("path")[:REPORTERS]
    )
    cycle = cycle_create(actor=organiser, year=today.year, title=TITLE, groups=["县区", "乡镇街道"],
                         report_due=today + timedelta(days=2), meeting_on=today + timedelta(days=20))  # fmt: skip
    for g, group in enumerate(cycle.groups):
        reporters_add(actor=organiser, cycle=cycle, organizations=units[g::2], group=group, mode="onsite")
    cycle = cycle_advance(actor=organiser, cycle=cycle)
    reports = list(Report.objects.filter(reporter__cycle=cycle))
    for report in reports:
        report.status = rng.choice(Report.Status.values)
    Report.objects.bulk_update(reports, ["status"], batch_size=1000)
    Cycle.objects.filter(pk=cycle.pk).update(report_due=today - timedelta(days=1))  # reports are late
    round_open(actor=organiser, year=today.year, title="全市书记领办项目", declare_due=today - timedelta(days=5),
               quarter_dues=[today + timedelta(days=30 * q) for q in (1, 2, 3, 4)],
               scheme=project_rules.DEFAULT_SCHEME)  # fmt: skip
    statuses = Item.Status.values
    Item.objects.bulk_create(
        (Item(cycle=cycle, organization=unit, org_path=unit.path, title=f"问题{i}", deadline=today,
              status=Item.Status.OVERDUE if i % 10 == 0 else rng.choice(statuses))
         for i, unit in enumerate(units * (ITEMS // len(units)))),
        batch_size=2000,
    )  # fmt: skip
    villages = list(Organization.objects.filter(kind="branch", depth=4).order_by("path")[:WEAK])
    Entry.objects.bulk_create(
        Entry(organization=v, org_path=v.path, year=today.year, reason="班子软弱", added_by=organiser,
              **({} if i % 2 else {"problems": "问题", "measures": "措施", "deadline": today, "responsible_leader": "某某"}))
        for i, v in enumerate(villages)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return cycle


def main() -> None:
    setup_django(city_database())
    import os

    from django.test import Client

    from shuzhi.accounts.models import User
    from shuzhi.orgs.models import Organization

    root = Organization.objects.get(depth=1)
    organiser, _ = User.objects.get_or_create(
        username="bench_workbench",
        defaults={"role": "organiser", "organization": root, "full_name": "市委组织部"},
    )
    build(root, organiser)
    # a quarter's progress report past due, so that the late-progress count is measured too
    from datetime import timedelta

    from django.utils import timezone

    from shuzhi.projects.models import Round

    today = timezone.localdate()
    Round.objects.filter(organization=root, year=today.year).update(
        declare_due=today - timedelta(days=10), q1_due=today - timedelta(days=2)
    )
    county = Organization.objects.filter(depth=2, level="county").order_by("-total_organizations").first()
    county_organiser, _ = User.objects.get_or_create(
        username="bench_workbench_county",
        defaults={"role": "organiser", "organization": county, "full_name": "县委组织部"},
    )
    pages = {
        "baseline: login page": (None, "/accounts/login/"),
        "city organiser's workbench": (organiser, "/"),
        "county organiser's workbench": (county_organiser, "/"),
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
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"workbench {p95s[max(p95s, key=p95s.get)] / baseline:.1f}x the login page")
    print(f"BENCH workbench_ms {p95s[max(p95s, key=p95s.get)]:.1f} ms")
    print(f"BENCH workbench_login_ms {baseline:.1f} ms")


if __name__ == "__main__":
    main()
