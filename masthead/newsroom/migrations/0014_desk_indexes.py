"""Indexes for the article desk's orderings and date filters, on Wagtail's page table (it has none on them)."""

from django.db import migrations

INDEXES = {
    "newsroom_page_latest_revision": "latest_revision_created_at",
    "newsroom_page_first_published": "first_published_at",
    "newsroom_page_title": "title",
    "newsroom_page_live": "live",
}


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0013_author_user"), ("wagtailcore", "0098_apitoken")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {name} ON wagtailcore_page ({column})",
            f"DROP INDEX IF EXISTS {name}",
        )
        for name, column in INDEXES.items()
    ]
