import os
import tempfile
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db.models.signals import post_migrate
from hypothesis import settings as hypothesis_settings

from shuzhi.testing.cast import build_cast

# Playwright's sync API keeps an event loop running in the test thread; Django would take
# every ORM call made from a test for an async context.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"

# Property tests check what holds, not how fast: on a busy 2-core machine one example can take
# longer than hypothesis's default 200 ms deadline.
hypothesis_settings.register_profile("shuzhi", deadline=None)
hypothesis_settings.load_profile("shuzhi")


def pytest_configure(config):
    # the live test server speaks plain http
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_SSL_REDIRECT = False
    # audit anchors of test databases go to a folder of this run (app servers started by tests
    # inherit it), never next to the quick start's data
    anchors = os.environ.setdefault("SHUZHI_AUDIT_ANCHOR_DIR", tempfile.mkdtemp(prefix="shuzhi-anchors-"))
    settings.AUDIT_ANCHOR_DIR = Path(anchors)
    _let_the_test_flush_empty_the_audit_log()
    post_migrate.connect(_reseed_after_flush, dispatch_uid="shuzhi-test-reseed")


# The rows data migrations seed (frequencies, dues bands, the 发展党员 steps, the standards, the
# weak-organisation rules): the flush after a transactional test (a browser test's live server)
# empties them with everything else, and a later test in the same worker would find none. Django's
# flush then sends post_migrate: put them back there, in tests only (a real `migrate` must never
# overwrite what an organiser has changed). Each seed is an update_or_create, so running it again
# changes nothing.
SEEDS = (
    ("records", "0002_seed_requirements"),
    ("records", "0004_seed_dues_bands"),
    ("records", "0006_committee_needs_seven_members"),
    ("records", "0009_seed_points_scheme"),
    ("lifecycle", "0002_seed_steps"),
    ("lifecycle", "0007_training_needs_test"),
    ("standards", "0002_seed_standards"),
    ("standards", "0004_seed_hour_norms"),
    ("standards", "0006_seed_followup_period"),
    ("standards", "0007_files_item_computed", "compute"),  # the seeded files item, as 0007 leaves it
    ("weakorgs", "0002_seed_rules"),
    ("weakorgs", "0005_seed_star_rule"),
    ("dossiers", "0002_seed_checklist"),
    ("dossiers", "0003_seed_talent_rule"),
)


def _reseed_after_flush(sender, using="default", **kwargs):
    if sender.label != "core":  # post_migrate comes once per app: seed once
        return
    import importlib

    from django.apps import apps

    for app, name, *function in SEEDS:
        module = importlib.import_module(f"shuzhi.{app}.migrations.{name}")
        getattr(module, function[0] if function else "seed")(apps, None)


# SHUZHI_TEST_APP_ROLE=<role> (PostgreSQL): the suite runs as the app's own role, which owns no
# table (`manage.py grant_app_role`), as production does; tests that act as the database's owner
# (tampering, migrations, making roles) are marked `owner` and skipped then.
APP_ROLE = os.environ.get("SHUZHI_TEST_APP_ROLE", "").strip()


def pytest_collection_modifyitems(config, items):
    if not APP_ROLE:
        return
    skip = pytest.mark.skip(reason="acts as the database's owner; the suite runs as the app role")
    for item in items:
        if item.get_closest_marker("owner"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connection

    if not APP_ROLE or connection.vendor != "postgresql":
        yield
        return
    import io

    from django.core.management import call_command
    from psycopg import sql

    with django_db_blocker.unblock():
        owner = dict(connection.settings_dict)
        # the role logs in as the owner does (trust, or the owner's password)
        login = (
            sql.SQL("LOGIN PASSWORD {}").format(sql.Literal(owner["PASSWORD"]))
            if owner["PASSWORD"]
            else sql.SQL("LOGIN")
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql.SQL(
                    "DO $$ BEGIN CREATE ROLE {} {}; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
                ).format(sql.Identifier(APP_ROLE), login)
            )
        call_command("grant_app_role", APP_ROLE, stdout=io.StringIO())
        _flush_as_owner(owner)
        connection.close()
        connection.settings_dict.update(USER=APP_ROLE)
    yield
    with django_db_blocker.unblock():
        connection.close()
        connection.settings_dict.update(USER=owner["USER"], PASSWORD=owner["PASSWORD"])


def _flush_as_owner(owner: dict) -> None:
    """The app role may not TRUNCATE: the flush between transactional tests runs as the owner."""
    import psycopg
    from django.db.backends.postgresql.base import DatabaseWrapper

    operations = DatabaseWrapper.ops_class
    flush = operations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        if self.connection.settings_dict.get("USER") != APP_ROLE:
            return flush(self, sql_list)
        self.connection.close()
        with (
            psycopg.connect(
                host=owner["HOST"] or None, port=owner["PORT"] or None, user=owner["USER"],
                password=owner["PASSWORD"] or None, dbname=self.connection.settings_dict["NAME"],
            ) as owned,
            owned.cursor() as cursor,
        ):  # fmt: skip
            for statement in sql_list:
                cursor.execute(statement)
        return None

    operations.execute_sql_flush = execute_sql_flush


def _let_the_test_flush_empty_the_audit_log():
    """SQLite's audit DELETE trigger refuses every removal except Django's flush between
    transactional tests (PostgreSQL's flush is a TRUNCATE, which row triggers do not see)."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    DatabaseOperations = DatabaseWrapper.ops_class

    from shuzhi.core.database import emptying_test_database

    flush = DatabaseOperations.execute_sql_flush
    if getattr(flush, "shuzhi_wrapped", False):
        return

    def execute_sql_flush(self, sql_list):
        with emptying_test_database():
            return flush(self, sql_list)

    execute_sql_flush.shuzhi_wrapped = True
    DatabaseOperations.execute_sql_flush = execute_sql_flush


@pytest.fixture(autouse=True)
def latest_schema_around_migration_tests(request, django_db_blocker):
    """A test that migrates tables back and forth (a module named *migration*) leaves the schema as
    every other test expects it: at the latest migrations, before and after (the test database is
    shared by the whole session, and transactional tests run last, in any order)."""
    if "migration" not in request.module.__name__:
        yield
        return
    from shuzhi.testing.migrations import migrate_to_latest

    with django_db_blocker.unblock():
        migrate_to_latest()
    yield
    with django_db_blocker.unblock():
        migrate_to_latest()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The security policy is cached; a test's rolled-back change must not leak into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploads go to a folder of the test's own (the live server reads the same settings)."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _audit_anchors(settings, tmp_path):
    """Each test's audit anchors in a folder of its own: its database is its own too."""
    settings.AUDIT_ANCHOR_DIR = tmp_path / "audit-anchors"


@pytest.fixture
def cast(db):
    return build_cast()


@pytest.fixture(scope="session")
def live_server(live_server):
    """Serve /static/ the way production does: WhiteNoise, from STATIC_ROOT, hashed names.

    pytest-django puts Django's StaticFilesHandler in front of the live server; it looks files up
    through the finders, which do not know the manifest's hashed names, so every vendored script
    and stylesheet would be a 404. Needs `collectstatic` first (make test runs it).
    """
    live_server.thread.httpd.set_app(OneAtATime(WSGIHandler()))
    return live_server


class OneAtATime:
    """A WSGI app that serves one request at a time, its answer's body included.

    On the embedded database the live server's request threads all use the test's own in-memory
    SQLite connection (that is how they see the test's data). Two requests at once on one
    connection, as when the autosave and the submit button go together, fail with "database
    table is locked" or a lost session: an artefact of the shared connection, not of the
    platform, whose threads have connections of their own and wait for SQLite's write lock."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        self.lock.acquire()
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self.lock.release()
            raise
        return _Releasing(body, self.lock)


class _Releasing:
    def __init__(self, body, lock):
        self.body, self.lock = body, lock

    def __iter__(self):
        return iter(self.body)

    def close(self):
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.lock.release()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
