"""What editors set about how the newsroom is found: its feeds and what it tells search engines and aggregators."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


@register_setting(icon="rss")
class DiscoverySettings(BaseSiteSetting):
    class FeedContent(models.TextChoices):
        FULL = "full", "The whole story"
        SUMMARY = "summary", "The standfirst only"

    feed_content = models.CharField(
        "feeds carry",
        max_length=10,
        choices=FeedContent.choices,
        default=FeedContent.FULL,
        help_text="What a feed reader shows of each story: the whole text, or the standfirst and a link.",
    )
    feed_items = models.PositiveSmallIntegerField(
        "stories per feed",
        default=20,
        validators=[MinValueValidator(5), MaxValueValidator(100)],
        help_text="The newest stories each feed holds (5 to 100).",
    )
    publication_name = models.CharField(
        max_length=120,
        blank=True,
        help_text="The name Google News knows the newsroom by. Empty: the site's name.",
    )
    language = models.CharField(
        max_length=12,
        default="en",
        help_text="The stories' language as a language code (en, uk, pt-BR): feeds, the News sitemap, structured data.",
    )

    panels = [
        MultiFieldPanel([FieldPanel("feed_content"), FieldPanel("feed_items")], "Feeds"),
        MultiFieldPanel([FieldPanel("publication_name"), FieldPanel("language")], "Search engines and Google News"),
    ]

    class Meta:
        verbose_name = "discovery settings"

    def clean(self):
        super().clean()
        import re

        from django.core.exceptions import ValidationError

        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", self.language or ""):
            raise ValidationError({"language": "A language code such as en, uk or pt-BR."})


class StoryIndex(models.Model):
    """A live story as the search page searches it: its text, and its filters as words (`facets`: `s<section id>`,
    `a<author id>` for each byline, `k_story` or `k_news`). `key` orders the stories newest first (the time of
    first publication in seconds, shifted, with the page id below it) and is the row id of the full-text index
    over these columns: SQLite's FTS5 table `discovery_storyfts` (external content, this table), PostgreSQL's
    `document` (every word) and `head` (the headline and standfirst, for ranking) tsvector columns, both made by
    migration 0002 for their database only. Kept by `services.story_index_update` / `story_index_remove`."""

    page = models.OneToOneField("newsroom.ArticlePage", on_delete=models.CASCADE, primary_key=True, related_name="+")
    key = models.BigIntegerField(unique=True)
    published = models.DateTimeField()
    title = models.TextField()
    standfirst = models.TextField(blank=True)
    body = models.TextField(blank=True)
    facets = models.TextField(blank=True)

    class Meta:
        verbose_name = "story in the search index"
        verbose_name_plural = "search index"

    def __str__(self):
        return self.title
