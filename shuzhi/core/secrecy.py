"""Forgetting the order in which rows were written.

Two tables that must not be joinable — who took part (a used ballot code) and what they said (a
ballot) — are still written side by side, one pair per transaction, while people vote. Whatever
the tables' columns say, the storage remembers the order of writing: SQLite's hidden rowid,
PostgreSQL's physical position (ctid) and writing transaction (xmin), id sequences, times. A
reader of the database who sorts both tables by any of these pairs them one to one.

So once the rows are complete (voting has closed), they are written again, in a random order
(`secrets.SystemRandom`), in one transaction, with fresh ids and every time column set to one
moment: `rewrite_shuffled`. Afterwards every row of the rewritten tables has the same writing
transaction, positions and rowids in a random order, random ids and the same time; sorting both
tables by anything the storage offers pairs no more rows than chance.

Tables that may only be added to (their database triggers refuse DELETE) let the rewrite through
in one way only: `rewrite_allowed(scope)` names, for the current transaction alone
(`set_config(…, true)`), what may be rewritten, and the table's trigger compares it with the row
(the ballots' trigger: `ballots.meeting:<id>`, see ballots/migrations). Nothing else can delete
those rows; every caller is an audited service.

What this does not undo: someone who watches the database while the rows are being written (a
superuser reading the live tables, the write-ahead log, a backup or replica taken during the
vote) sees the pairs as they come. The old row versions also stay in PostgreSQL's data files until
vacuum reuses their space; on SQLite the rewrite overwrites them (secure_delete) and the
write-ahead log is truncated after the commit.
"""

import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar

from django.db import connection, models, transaction

REWRITE_SETTING = "shuzhi.rewrite"

T = TypeVar("T")

_random = secrets.SystemRandom()


def shuffled(items: Iterable[T]) -> list[T]:
    """The items in a random order from the operating system's generator."""
    items = list(items)
    _random.shuffle(items)
    return items


@contextmanager
def rewrite_allowed(scope: str):
    """Inside the block, and in this transaction only, the append-only triggers let rows of
    `scope` be deleted (to be written again)."""
    if not connection.in_atomic_block:
        raise RuntimeError("rewrite_allowed must run inside a transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [REWRITE_SETTING, scope])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, '', true)", [REWRITE_SETTING])
        return
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # deleted rows are overwritten, not left in free pages
            cursor.execute("PRAGMA secure_delete = ON")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA secure_delete = OFF")
        transaction.on_commit(_sqlite_truncate_log)
        return
    yield


def _sqlite_truncate_log() -> None:
    """The write-ahead log still holds the pages as they were before the rewrite: fold it into
    the database and empty it (best effort: a reader still open keeps it until the next time)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _fresh_key(model: type[models.Model]):
    """A new primary key value, or None where the database gives one (an auto id); the same
    value where the key means something (a one-to-one key such as a used code's code)."""
    pk = model._meta.pk
    if isinstance(pk, models.UUIDField):
        return lambda _old: uuid.uuid4()
    if isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
        return lambda _old: None
    return lambda old: old


def _insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert in exactly this order, values as they are (raw: no auto_now, no signals)."""
    if not objs:
        return
    pk = model._meta.pk
    fields = [
        f for f in model._meta.local_concrete_fields if not (f is pk and getattr(objs[0], f.attname) is None)
    ]
    size = max(1, connection.ops.bulk_batch_size(fields, objs))
    for start in range(0, len(objs), size):
        model._base_manager._insert(
            objs[start : start + size], fields=fields, raw=True, using=connection.alias
        )


def rewrite_shuffled(
    queryset: models.QuerySet,
    *,
    children: Sequence[tuple[type[models.Model], str]] = (),
    at: datetime | None = None,
) -> int:
    """Write the rows of `queryset` again in a random order, each followed by its `children`
    ((model, name of the foreign key to the row) pairs, e.g. a ballot's marks), with fresh random
    ids (UUID keys; auto ids are drawn anew, in the new order), and every date-time column set to
    `at`. What the rows say does not change. Must run inside `rewrite_allowed` where triggers
    guard the tables. Returns the number of rows."""
    if not connection.in_atomic_block:
        raise RuntimeError("rewrite_shuffled must run inside a transaction")
    model = queryset.model
    rows = list(queryset.order_by())
    if not rows:
        return 0
    kept: dict[type[models.Model], dict[object, list[models.Model]]] = {}
    for child, fk in children:
        grouped = defaultdict(list)
        for obj in child._base_manager.filter(**{f"{fk}__in": queryset.values("pk")}).order_by():
            grouped[getattr(obj, child._meta.get_field(fk).attname)].append(obj)
        kept[child] = grouped
    for child, fk in children:  # the children first: they point at the rows
        child._base_manager.filter(**{f"{fk}__in": queryset.values("pk")})._raw_delete(connection.alias)
    model._base_manager.filter(pk__in=[row.pk for row in rows])._raw_delete(connection.alias)

    def renew(obj: models.Model, fresh) -> models.Model:
        obj.pk = fresh(obj.pk)
        if at is not None:
            for field in obj._meta.concrete_fields:
                if isinstance(field, models.DateTimeField):
                    setattr(obj, field.attname, at)
        return obj

    fresh = _fresh_key(model)
    new_rows, new_children = [], {child: [] for child, _fk in children}
    for row in shuffled(rows):
        old = row.pk
        new_rows.append(renew(row, fresh))
        for child, fk in children:
            for obj in shuffled(kept[child].get(old, ())):
                obj = renew(obj, _fresh_key(child))
                setattr(obj, child._meta.get_field(fk).attname, row.pk)
                new_children[child].append(obj)
    if children and new_rows[0].pk is None:
        raise ValueError("rows with children need keys chosen here (UUID keys) to be rewritten")
    _insert(model, new_rows)
    for child, _fk in children:
        _insert(child, new_children[child])
    return len(rows)
