"""What the database connection needs from the app: on SQLite, the function the audit log's
DELETE trigger asks before refusing a row's removal."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_flushing = threading.local()


def audit_rows_deletable() -> int:
    """1 only while a test database is being emptied between tests (see the root conftest)."""
    return 1 if getattr(_flushing, "on", False) else 0


@contextmanager
def emptying_test_database() -> Iterator[None]:
    """Django's test flush empties SQLite tables with DELETE; only it may remove audit rows."""
    _flushing.on = True
    try:
        yield
    finally:
        _flushing.on = False


def on_connection_created(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("shuzhi_audit_rows_deletable", 0, audit_rows_deletable)
