"""The subtree rectification board for a city: 2,000 units × 10 items with milestones, server
time (Django's full request handling, in-process) p95 over repeated requests and the query count,
on PostgreSQL; the login page in the same run as the baseline. Goal: < 200 ms.

    python benchmarks/rect_board.py
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

DATABASE = "shuzhi_bench_rect"
UNITS, ITEMS_PER_UNIT = 2000, 10
REQUESTS, WARMUP = 60, 5


def build():
    from django.db import connection
    from django.utils import timezone

    from shuzhi.accounts.models import User
    from shuzhi.cycles.models import Cycle
    from shuzhi.rectification import rules
    from shuzhi.rectification.models import Item, Milestone

    root, units = city_units(UNITS)
    organiser = User.objects.create(
        username="organiser", full_name="市委组织部", role="organiser", organization=root
    )
    today = timezone.localdate()
    cycle = Cycle.objects.create(organization=root, org_path=root.path, year=today.year, title="全市述职评议",
                                 status=Cycle.Status.PUBLISHED, groups=["县区"], report_due=today, meeting_on=today,
                                 created_by=organiser)  # fmt: skip
    rng = random.Random(1)
    statuses = [s for s in Item.Status.values]
    items = []
    for unit in units:
        for n in range(ITEMS_PER_UNIT):
            status = rng.choice(statuses)
            started = status != "not_started"
            items.append(Item(cycle=cycle, organization=unit, org_path=unit.path, title=f"整改事项{n + 1}", measures="措施",
                              responsible="责任人", deadline=today + timedelta(days=rng.randrange(-30, 90)), status=status,
                              started=started, progress=rules.progress(status, started=started)))  # fmt: skip
    Item.objects.bulk_create(items, batch_size=5000)
    Milestone.objects.bulk_create(
        (
            Milestone(item=item, on=today, text="进展", created_by=organiser)
            for item in items
            for _ in range(2)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return organiser


def main() -> None:
    os.environ["DATABASE_URL"] = fresh_database(DATABASE)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.test import Client

    from shuzhi.rectification.models import Item, Milestone

    organiser = build()
    print(f"{UNITS} units, {Item.objects.count():,} items, {Milestone.objects.count():,} milestones")
    pages = {
        "baseline: login page": (None, "/accounts/login/"),
        "rectification board (city)": (organiser, "/rectification/"),
        "board, last page": (organiser, "/rectification/?page=40"),
        "board, filtered by unit name": (organiser, "/rectification/?q=第1"),
    }
    p95s, counts = {}, {}
    for label, (user, url) in pages.items():
        client = Client(HTTP_HOST="127.0.0.1")
        if user is not None:
            client.force_login(user)
        times, queries = measure(client, url, requests=REQUESTS, warmup=WARMUP)
        p95 = times[int(len(times) * 0.95) - 1]
        p95s[label], counts[label] = p95, queries
        print(f"{label:32s} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  {queries} queries")
    baseline = p95s.pop("baseline: login page")
    worst = max(p95s, key=p95s.get)
    print(f"worst: {worst} ({p95s[worst] / baseline:.1f}x the login page)")
    print(f"BENCH rect_board_ms {p95s[worst]:.1f} ms")


if __name__ == "__main__":
    main()
