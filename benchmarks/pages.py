"""Pages at city scale (21,800 organisations, 290,000 members): server-side time of the tree
page, an organisation's detail page and a filtered member list, p95 over repeated requests,
measured in-process through Django's full request handling (middleware, session, templates).
The login page, which touches no organisation data, is measured as the baseline. Goal: < 100 ms.

A filtered member list is shown without counting first; its total is a request of its own that
the page makes once shown (members:count). Its time is printed too (`BENCH member_count_p95_ms`),
apart from the pages: the person has the list while it runs.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _citydb import city_database, setup_django

REQUESTS = 60
WARMUP = 5


def main() -> None:
    setup_django(city_database())
    from django.test import Client

    from shuzhi.accounts.models import User
    from shuzhi.orgs.models import Organization

    root = Organization.objects.get(depth=1)
    county = Organization.objects.filter(depth=2, level="county").order_by("path").first()
    township = Organization.objects.filter(depth=3, level="township").order_by("-numchild").first()
    organiser, _ = User.objects.get_or_create(
        username="bench_city_organiser",
        defaults={"full_name": "市委组织部", "role": "organiser", "organization": root},
    )
    pages = {
        "baseline: login page": (None, "/accounts/login/"),
        "tree (city)": (organiser, "/orgs/"),
        "org detail (city)": (organiser, f"/orgs/{root.pk}/"),
        "org detail (township)": (organiser, f"/orgs/{township.pk}/"),
        "member list, filtered (city)": (organiser, "/members/?status=probationary&min_age=18&max_age=35"),
        "member list, filtered (county)": (
            organiser,
            f"/members/?org={county.pk}&category=farmer&min_age=60",
        ),
        "member list, unfiltered (city)": (organiser, "/members/"),
    }
    totals = {
        "member total, filtered (city)": (
            organiser,
            "/members/count/?status=probationary&min_age=18&max_age=35",
        ),
        "member total, filtered (county)": (
            organiser,
            f"/members/count/?org={county.pk}&category=farmer&min_age=60",
        ),
    }
    p95s = {}
    for label, (user, url) in {**pages, **totals}.items():
        client = Client(HTTP_HOST="127.0.0.1")
        if user is not None:
            client.force_login(user)
        times = []
        for i in range(WARMUP + REQUESTS):
            started = time.perf_counter()
            response = client.get(url, secure=True)  # over https, as the settings require by default
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
            if i >= WARMUP:
                times.append(elapsed)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        p95s[label] = p95
        print(f"{label:32s} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms")
    baseline = p95s.pop("baseline: login page")
    total_p95 = max(p95s.pop(label) for label in totals)
    worst_label = max(p95s, key=p95s.get)
    print(f"worst: {worst_label} ({p95s[worst_label] / baseline:.1f}x the login page)")
    print(f"BENCH page_p95_ms {p95s[worst_label]:.1f} ms")
    print(f"BENCH member_count_p95_ms {total_p95:.1f} ms")


if __name__ == "__main__":
    main()
