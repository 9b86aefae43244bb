"""书记领办项目 at city scale (2,000 reporting units × 2 projects × 4 quarters, each quarter
reported and rated): the round's board (a page of units) and the ranking page a city organiser
opens (server time, in-process, p95 and queries, on PostgreSQL), the `projects.supervision_rating`
fact for the 2,000 units, and the login page in the same run as the baseline.
Goals: board and ranking p95 < 150 ms with a fixed number of queries. The ranking shows one
group a page (50 units); the page's figure is the worse of its first and eighth page.

    BENCH_CITY_DB=wt_projects_city python benchmarks/projects.py
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

REQUESTS, WARMUP, UNITS = 40, 5, 2000


def main() -> None:
    setup_django(city_database())
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from shuzhi.accounts.models import User
    from shuzhi.core import facts
    from shuzhi.demo.projects import city_projects_write
    from shuzhi.orgs.models import Organization
    from shuzhi.projects.models import Declaration, Progress, Project, Rating, Round

    year = timezone.localdate().year
    root = Organization.objects.get(depth=1)
    organiser, _ = User.objects.get_or_create(username="bench_projects", defaults={"role": "organiser", "organization": root,
                                                                                  "full_name": "市委组织部"})  # fmt: skip
    if not Round.objects.filter(organization=root, year=year).exists():
        started = time.perf_counter()
        written = city_projects_write(root=root, year=year, units=UNITS, seed=1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"wrote {written:,} projects of {year} in {time.perf_counter() - started:.1f} s", flush=True)
    round_ = Round.objects.get(organization=root, year=year)
    print(f"{Declaration.objects.filter(round=round_).count():,} units, "
          f"{Project.objects.filter(declaration__round=round_).count():,} projects, "
          f"{Progress.objects.filter(project__declaration__round=round_).count():,} quarters reported, "
          f"{Rating.objects.filter(progress__project__declaration__round=round_).count():,} rated")  # fmt: skip
    pages = {
        "baseline: login page": (None, "/accounts/login/"),
        "board, first page": (organiser, f"/projects/rounds/{round_.pk}/"),
        "board, page 20": (organiser, f"/projects/rounds/{round_.pk}/?page=20"),
        "ranking, 2nd quarter": (organiser, f"/projects/rounds/{round_.pk}/ranking/?quarter=2"),
        "ranking, Q2, page 8": (organiser, f"/projects/rounds/{round_.pk}/ranking/?quarter=2&page=8"),
    }
    p95s, queries_of = {}, {}
    for label, (user, url) in pages.items():
        client = Client(HTTP_HOST="127.0.0.1")
        if user is not None:
            client.force_login(user)
        times, queries = measure(client, url, requests=REQUESTS, warmup=WARMUP)
        p95 = times[int(len(times) * 0.95) - 1]
        p95s[label], queries_of[label] = p95, queries
        print(f"{label:24s} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  {queries} queries")
    baseline = p95s.pop("baseline: login page")
    board = max(p95s["board, first page"], p95s["board, page 20"])
    ranking = max(p95s["ranking, 2nd quarter"], p95s["ranking, Q2, page 8"])
    print(f"board {board / baseline:.1f}x, ranking {ranking / baseline:.1f}x the login page")

    units = list(Declaration.objects.filter(round=round_).select_related("organization")[:UNITS])
    subjects = [
        facts.Subject(id=d.organization.pk, path=d.organization.path, name=d.organization.name) for d in units
    ]
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        found = facts.collect("projects.supervision_rating", year=year, subjects=subjects)
        runs.append(time.perf_counter() - started)
    rated = sum(1 for f in found.values() if f.value is not None)
    print(f"projects.supervision_rating for {len(subjects)} units: best {min(runs):.2f} s, worst {max(runs):.2f} s "
          f"({rated} with a value)")  # fmt: skip
    print(f"BENCH project_board_ms {board:.1f} ms")
    print(f"BENCH project_ranking_ms {ranking:.1f} ms")
    print(f"BENCH project_fact_s {max(runs):.2f} s")


if __name__ == "__main__":
    main()
