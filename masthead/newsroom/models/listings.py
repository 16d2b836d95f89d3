"""The story listings (all stories, the News Feed, each section, tag and author) as one narrow table.

A listing is filtered by one table (a section on the article, a tag on the tag links, an author on the bylines)
and sorted by another (the publication time on Wagtail's page row), so no index of either serves both: at
5,000 articles a tag page sorted every tagged row to show twenty. Here every live article has one row per
listing it shows in, with its publication time beside it, and one index (listing, time, article) answers any
page of any listing by reading just that page's entries (and the ones before it for a deep page).
`services.article_listings_update` keeps it true on every publish, unpublish, move and delete.
"""

from django.db import models


class ArticleListing(models.Model):
    class Kind(models.IntegerChoices):
        ALL = 0, "all stories"
        NEWS_FEED = 1, "News Feed"
        SECTION = 2, "section"  # the article's section and each section above it
        TAG = 3, "tag"
        AUTHOR = 4, "author"

    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    key = models.PositiveIntegerField(default=0, help_text="The section's, tag's or author's id; 0 for the others.")
    published_at = models.DateTimeField()
    article = models.ForeignKey("newsroom.ArticlePage", on_delete=models.CASCADE, related_name="+", db_index=False)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "published_at", "article"], name="listing_order")]
        constraints = [models.UniqueConstraint(fields=["article", "kind", "key"], name="listing_article_once")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key}: article {self.article_id}"
