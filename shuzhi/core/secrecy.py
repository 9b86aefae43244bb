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


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


class _Table:
    """A model's table as plain rows: its columns read and written as the database holds them
    (no model instances: a meeting's 30,000 marks in a second, not in ten)."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.name = _quote(model._meta.db_table)
        self.fields = list(model._meta.local_concrete_fields)
        self.pk = self.fields.index(model._meta.pk)
        self.auto_pk = isinstance(
            model._meta.pk, models.AutoField | models.BigAutoField | models.SmallAutoField
        )
        json_text = connection.vendor == "postgresql"  # jsonb read as text, written back cast
        self.select = ", ".join(
            f"{_quote(f.column)}::text" if json_text and isinstance(f, models.JSONField) else _quote(f.column)
            for f in self.fields
        )
        self.written = [i for i, f in enumerate(self.fields) if not (i == self.pk and self.auto_pk)]
        self.holders = (
            "("
            + ", ".join(
                "%s::jsonb" if json_text and isinstance(self.fields[i], models.JSONField) else "%s"
                for i in self.written
            )
            + ")"
        )
        self.times = [i for i, f in enumerate(self.fields) if isinstance(f, models.DateTimeField)]

    def column(self, name: str) -> int:
        field = self.model._meta.get_field(name)
        return self.fields.index(field)

    def read(self, where: str, params) -> list[list]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {self.select} FROM {self.name} WHERE {where}", params)  # noqa: S608
            return [list(row) for row in cursor.fetchall()]

    def delete(self, where: str, params) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.name} WHERE {where}", params)  # noqa: S608

    def fresh_key(self, old):
        """A new random key (UUID keys), None where the database draws one (auto ids: drawn in
        the new order), the same where the key means something (a used code's code)."""
        if isinstance(self.model._meta.pk, models.UUIDField):
            return uuid.uuid4() if connection.features.has_native_uuid_field else uuid.uuid4().hex
        return None if self.auto_pk else old

    def insert(self, rows: Sequence[list]) -> None:
        """Insert in exactly this order."""
        columns = ", ".join(_quote(self.fields[i].column) for i in self.written)
        if connection.vendor == "postgresql":  # COPY keeps the order and is three times faster
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {self.name} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row([row[i] for i in self.written])
            return
        size = max(1, 30000 // max(1, len(self.written)) // 10)
        with connection.cursor() as cursor:
            for start in range(0, len(rows), size):
                batch = rows[start : start + size]
                cursor.execute(
                    f"INSERT INTO {self.name} ({columns}) VALUES {', '.join([self.holders] * len(batch))}",  # noqa: S608
                    [row[i] for row in batch for i in self.written],
                )


def rewrite_shuffled(
    queryset: models.QuerySet,
    *,
    children: Sequence[tuple[type[models.Model], str]] = (),
    at: datetime | None = None,
) -> int:
    """Write the rows of `queryset` again in a random order, each followed by its `children`
    ((model, name of the foreign key to the row) pairs, e.g. a ballot's marks), with fresh random
    ids (UUID keys; auto ids are drawn anew, in the new order), and every date-time column that
    holds a time set to `at`. What the rows say does not change. Must run inside `rewrite_allowed` where triggers
    guard the tables. Returns the number of rows."""
    if not connection.in_atomic_block:
        raise RuntimeError("rewrite_shuffled must run inside a transaction")
    table = _Table(queryset.model)
    keys_sql, keys_params = queryset.order_by().values("pk").query.sql_with_params()
    rows = table.read(f"{_quote(queryset.model._meta.pk.column)} IN ({keys_sql})", keys_params)
    if not rows:
        return 0
    kids = []
    for child, fk in children:
        kid = _Table(child)
        link = kid.column(fk)
        where = f"{_quote(kid.fields[link].column)} IN ({keys_sql})"
        grouped = defaultdict(list)
        for row in kid.read(where, keys_params):
            grouped[row[link]].append(row)
        kids.append((kid, link, where, grouped))
    if kids and table.auto_pk:
        raise ValueError("rows with children need keys chosen here (UUID keys) to be rewritten")
    for kid, _link, where, _grouped in kids:  # the children first: they point at the rows
        kid.delete(where, keys_params)
    table.delete(f"{_quote(queryset.model._meta.pk.column)} IN ({keys_sql})", keys_params)

    def renew(row: list, kind: _Table) -> list:
        row[kind.pk] = kind.fresh_key(row[kind.pk])
        if at is not None:
            for i in kind.times:
                if row[i] is not None:  # a time not set stays not set
                    row[i] = kind.fields[i].get_db_prep_value(at, connection)
        return row

    new_rows, new_kids = [], [[] for _kid in kids]
    for row in shuffled(rows):
        old = row[table.pk]
        new_rows.append(renew(row, table))
        for (kid, link, _where, grouped), out in zip(kids, new_kids, strict=True):
            for child_row in shuffled(grouped.get(old, ())):
                child_row = renew(child_row, kid)
                child_row[link] = row[table.pk]
                out.append(child_row)
    table.insert(new_rows)
    for (kid, *_rest), out in zip(kids, new_kids, strict=True):
        kid.insert(out)
    return len(rows)
