import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def _latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture(autouse=True)
def latest_schema_around_migration_tests(request, django_db_blocker):
    """A test that migrates the ballots tables back and forth leaves the schema as every other
    test expects it: at the latest migrations, before and after (the test database is shared by
    the whole session, and transactional tests run last, in any order)."""
    if "migration" not in request.module.__name__:
        yield
        return
    with django_db_blocker.unblock():
        _latest()
    yield
    with django_db_blocker.unblock():
        _latest()
