"""The PostgreSQL role the app runs under: it does not own the tables, so it cannot disable a
trigger, truncate, drop or alter them, and it has no UPDATE or DELETE on the append-only tables
(the audit log, the ballots). Migrations run as the owner; the grants are given after each."""

from psycopg import sql

# tables whose rows are only ever added to: every table with a trigger named *_append_only
APPEND_ONLY_TABLES = """
SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND t.tgname LIKE '%%\\_append\\_only' AND n.nspname = current_schema()
ORDER BY 1
"""


# Append-only tables whose trigger itself lets one narrow DELETE through (the ballots' rewrite at
# closing, shuzhi.core.secrecy): the app role keeps DELETE on them and the trigger refuses every
# other; UPDATE and TRUNCATE are taken away as on the others. Filled by the owning app's ready().
DELETE_GUARDED_BY_TRIGGER: set[str] = set()


def delete_guarded_by_trigger(*tables: str) -> None:
    """Say that these append-only tables' trigger decides which DELETE may pass."""
    DELETE_GUARDED_BY_TRIGGER.update(tables)


def app_role_statements(cursor, role: str) -> list[sql.Composed]:
    """The grants that let `role` run the app and no more, for the current schema."""
    cursor.execute("SELECT current_database(), current_schema()")
    database, schema = cursor.fetchone()
    cursor.execute(APPEND_ONLY_TABLES)
    append_only = [name for (name,) in cursor.fetchall()]
    r, s = sql.Identifier(role), sql.Identifier(schema)
    statements = [
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(sql.Identifier(database), r),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(s, r),
        sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(s, r),
        sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(s, r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(s, r),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(s, r),
    ]
    statements += [
        sql.SQL("REVOKE {} ON {} FROM {}").format(
            sql.SQL("UPDATE, TRUNCATE" if table in DELETE_GUARDED_BY_TRIGGER else "UPDATE, DELETE, TRUNCATE"),
            sql.Identifier(table),
            r,
        )
        for table in append_only
    ]
    return statements
