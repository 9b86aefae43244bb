"""Full-text search over the indexed texts' jieba words: an FTS5 table kept by triggers on
SQLite, a generated tsvector column with a GIN index on PostgreSQL."""

from django.db import migrations

SQLITE = [
    "CREATE VIRTUAL TABLE analytics_document_fts USING fts5("
    "tokens, content='analytics_document', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER analytics_document_fts_insert AFTER INSERT ON analytics_document BEGIN "
    "INSERT INTO analytics_document_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "CREATE TRIGGER analytics_document_fts_delete AFTER DELETE ON analytics_document BEGIN "
    "INSERT INTO analytics_document_fts(analytics_document_fts, rowid, tokens) "
    "VALUES ('delete', old.id, old.tokens); END",
    "CREATE TRIGGER analytics_document_fts_update AFTER UPDATE OF tokens ON analytics_document BEGIN "
    "INSERT INTO analytics_document_fts(analytics_document_fts, rowid, tokens) "
    "VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO analytics_document_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "INSERT INTO analytics_document_fts(analytics_document_fts) VALUES ('rebuild')",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS analytics_document_fts_update",
    "DROP TRIGGER IF EXISTS analytics_document_fts_delete",
    "DROP TRIGGER IF EXISTS analytics_document_fts_insert",
    "DROP TABLE IF EXISTS analytics_document_fts",
]
POSTGRES = [
    "ALTER TABLE analytics_document ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, tokens)) STORED",
    "CREATE INDEX analytics_document_search ON analytics_document USING gin (search_vector)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS analytics_document_search",
    "ALTER TABLE analytics_document DROP COLUMN IF EXISTS search_vector",
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_documents")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
