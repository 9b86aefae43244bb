"""What the PostgreSQL benchmarks share: a fresh, migrated database of their own, a city of many
units under one root, and the in-process timing of a page with its query count."""

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def fresh_database(name: str) -> str:
    """Drop and create `name`, migrate it, and return its URL (also set as DATABASE_URL)."""
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{SERVER}/{name}"
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], check=True, cwd=ROOT,
                   env={**os.environ, "DATABASE_URL": url})  # fmt: skip
    os.environ["DATABASE_URL"] = url
    return url


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import config.wsgi  # noqa: F401  the served process's start-up (django.setup(), its heap frozen)


def city_units(count: int):
    """A city committee with `count` county-level units directly under it, written in bulk."""
    from shuzhi.orgs.models import Organization
    from shuzhi.orgs.services import organization_create

    root = organization_create(actor=None, parent=None, name="中共云州市委员会", code="3299", kind="committee",
                               level="city", field="agency")  # fmt: skip
    units = Organization.objects.bulk_create(
        Organization(path=Organization._get_path(root.path, 2, i + 1), depth=2, numchild=0, name=f"第{i + 1:04d}号单位党委",
                     code=f"3299{i + 1:05d}", kind="committee", level="county", field="agency")
        for i in range(count)
    )  # fmt: skip
    Organization.objects.filter(pk=root.pk).update(numchild=count)
    root.refresh_from_db()
    return root, units


def measure(client, url: str, *, requests: int = 60, warmup: int = 5) -> tuple[list[float], int]:
    """Server time of `requests` GETs (after `warmup`), sorted, in ms; and the queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for i in range(warmup + requests):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, secure=True)  # over https, as the settings require by default
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        if i >= warmup:
            times.append(elapsed)
            queries = len(captured)
    return sorted(times), queries
