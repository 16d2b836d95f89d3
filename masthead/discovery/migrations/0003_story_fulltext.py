"""The full-text index over the search index's rows, in the database's own terms (models.StoryIndex):

- SQLite: an FTS5 table with the rows of discovery_storyindex as its external content (kept in step by
  triggers), words matched whatever their accents, and prefix indexes for words begun (`scho*`);
- PostgreSQL: tsvector columns generated from the same columns ('simple' configuration: no language's
  stemming, so Ukrainian and English are searched alike, words begun matched as prefixes) with GIN indexes.
"""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE discovery_storyfts USING fts5(
        title, standfirst, body, facets,
        content='discovery_storyindex', content_rowid='key',
        tokenize="unicode61 remove_diacritics 2", prefix='2 3')""",
    """CREATE TRIGGER discovery_storyindex_ai AFTER INSERT ON discovery_storyindex BEGIN
        INSERT INTO discovery_storyfts(rowid, title, standfirst, body, facets)
        VALUES (new.key, new.title, new.standfirst, new.body, new.facets);
    END""",
    """CREATE TRIGGER discovery_storyindex_ad AFTER DELETE ON discovery_storyindex BEGIN
        INSERT INTO discovery_storyfts(discovery_storyfts, rowid, title, standfirst, body, facets)
        VALUES ('delete', old.key, old.title, old.standfirst, old.body, old.facets);
    END""",
    """CREATE TRIGGER discovery_storyindex_au AFTER UPDATE ON discovery_storyindex BEGIN
        INSERT INTO discovery_storyfts(discovery_storyfts, rowid, title, standfirst, body, facets)
        VALUES ('delete', old.key, old.title, old.standfirst, old.body, old.facets);
        INSERT INTO discovery_storyfts(rowid, title, standfirst, body, facets)
        VALUES (new.key, new.title, new.standfirst, new.body, new.facets);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER discovery_storyindex_au",
    "DROP TRIGGER discovery_storyindex_ad",
    "DROP TRIGGER discovery_storyindex_ai",
    "DROP TABLE discovery_storyfts",
]

POSTGRES = [
    """ALTER TABLE discovery_storyindex ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', standfirst), 'B')
        || setweight(to_tsvector('simple', body), 'C')) STORED""",
    """ALTER TABLE discovery_storyindex ADD COLUMN head tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', standfirst), 'B')) STORED""",
    """ALTER TABLE discovery_storyindex ADD COLUMN facet_words tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', facets)) STORED""",
    "CREATE INDEX discovery_storyindex_document ON discovery_storyindex USING gin (document)",
    "CREATE INDEX discovery_storyindex_facets ON discovery_storyindex USING gin (facet_words)",
]
POSTGRES_REVERSE = [
    "DROP INDEX discovery_storyindex_facets",
    "DROP INDEX discovery_storyindex_document",
    "ALTER TABLE discovery_storyindex DROP COLUMN facet_words",
    "ALTER TABLE discovery_storyindex DROP COLUMN head",
    "ALTER TABLE discovery_storyindex DROP COLUMN document",
]


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("discovery", "0002_story_index")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
