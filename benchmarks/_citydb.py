"""A city-scale database for benchmarks: 21,800 organisations and 290,000 members.

Kept between runs (generating takes about two minutes) and rebuilt when it does not match: the
schema is migrated, and a marker table records what was generated with which seed and code.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
ORGS, MEMBERS, SEED = 21800, 290000, 1


def _fingerprint() -> str:
    """Changes when the generator or any migration changes."""
    digest = hashlib.sha256(f"{ORGS}/{MEMBERS}/{SEED}".encode())
    for path in sorted(
        [
            ROOT / "shuzhi/demo/generator.py",
            ROOT / "shuzhi/demo/services.py",
            *ROOT.glob("shuzhi/*/migrations/0*.py"),
        ]
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _manage(url: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        check=True,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
    )


def city_database(name: str | None = None) -> str:
    """The URL of a PostgreSQL database holding the generated city, creating it if needed
    (`BENCH_CITY_DB` names another database, e.g. one's own while developing)."""
    name = name or os.environ.get("BENCH_CITY_DB", "shuzhi_bench_city")
    url = f"{SERVER}/{name}"
    wanted = _fingerprint()
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if exists:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT fingerprint FROM bench_marker" if _has_marker(conn) else "SELECT NULL"
            ).fetchone()
        if row and row[0] == wanted:
            return url
    print(f"building {name}: {ORGS} organisations, {MEMBERS} members (about two minutes)", flush=True)
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    _manage(url, "migrate", "-v0")
    _manage(url, "generate_city", "--orgs", str(ORGS), "--members", str(MEMBERS), "--seed", str(SEED))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_marker (fingerprint text)")
        conn.execute("INSERT INTO bench_marker VALUES (%s)", [wanted])
        conn.execute("VACUUM ANALYZE")
    return url


def _has_marker(conn) -> bool:
    return conn.execute("SELECT to_regclass('bench_marker') IS NOT NULL").fetchone()[0]


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import config.wsgi  # noqa: F401  the served process's start-up (django.setup(), its heap frozen)
