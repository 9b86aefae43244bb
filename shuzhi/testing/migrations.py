"""Moving the test database to a migration and back, for the tests of data migrations."""

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to(*targets: tuple[str, str]) -> Apps:
    """Migrate to `targets` (app label, migration name) and return the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(list(targets))
    return executor.loader.project_state(list(targets)).apps


def latest(app: str | None = None) -> list[tuple[str, str]]:
    """The newest migration of `app`, or of every app."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes(app)


def migrate_to_latest() -> None:
    migrate_to(*latest())
