"""What the newsroom counts of its readers: how many views each page had per hour and per day, where readers
came from per day, and nothing about any reader.

A view is counted once per reader, page and day: the beacon's request is turned into a digest of the day's
secret salt with the reader's address and browser (`counting.py`), the digest is kept until the day is over
(`Seen`) and the salt is deleted then (`DailySalt`), after which no digest can be made again or linked to
another day's. No address, cookie or browser string is stored.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


class Target(models.IntegerChoices):
    """What a counter counts: views of a page (by its Wagtail page id), of a tag's or an author's page (by the
    tag's or author's id), or plays of an article's narration (by the article's page id)."""

    PAGE = 0, "page views"
    TAG = 1, "tag page views"
    AUTHOR = 2, "author page views"
    PLAY = 3, "narration plays"


class Source(models.IntegerChoices):
    """Where a reader came from, read from the referrer (and the address's utm_ parameters)."""

    DIRECT = 0, "direct or unknown"
    INTERNAL = 1, "this site"
    SEARCH = 2, "search engines"
    SOCIAL = 3, "social media"
    NEWSLETTER = 4, "newsletters and email"
    OTHER = 5, "other websites"


class HourlyCount(models.Model):
    """Views of one target in one hour (UTC, from its start). Kept for `MASTHEAD_ANALYTICS_HOURLY_DAYS` days:
    "Most popular" reads the last day or week of them."""

    target = models.PositiveSmallIntegerField(choices=Target.choices)
    object_id = models.PositiveIntegerField()
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "object_id", "hour"], name="hourly_count_one")]
        indexes = [models.Index(fields=["target", "hour", "object_id", "count"], name="hourly_count_recent")]

    def __str__(self):
        return f"{self.get_target_display()} of {self.object_id} at {self.hour:%Y-%m-%d %H:00}: {self.count}"


class DailyCount(models.Model):
    """Views of one target on one day (the newsroom's own calendar day, settings.TIME_ZONE). Kept for ever:
    the dashboard's top articles of any range read them."""

    target = models.PositiveSmallIntegerField(choices=Target.choices)
    object_id = models.PositiveIntegerField()
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "object_id", "day"], name="daily_count_one")]
        indexes = [
            models.Index(fields=["target", "day", "object_id", "count"], name="daily_count_range"),
            models.Index(fields=["target", "day", "-count"], name="daily_count_top"),
        ]

    def __str__(self):
        return f"{self.get_target_display()} of {self.object_id} on {self.day}: {self.count}"


class TotalCount(models.Model):
    """All views of one kind of target in one hour (UTC): the dashboard's views per day and per hour, without
    adding up every page's rows."""

    target = models.PositiveSmallIntegerField(choices=Target.choices)
    hour = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["target", "hour"], name="total_count_one")]

    def __str__(self):
        return f"{self.get_target_display()} at {self.hour:%Y-%m-%d %H:00}: {self.count}"


class SourceCount(models.Model):
    """Views that came from one kind of source and one referring domain on one day (the newsroom's calendar).
    `domain` is empty for direct views and for views from the site itself."""

    day = models.DateField()
    source = models.PositiveSmallIntegerField(choices=Source.choices)
    domain = models.CharField(max_length=253, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "source", "domain"], name="source_count_one")]

    def __str__(self):
        return f"{self.get_source_display()} {self.domain} on {self.day}: {self.count}"


class Seen(models.Model):
    """The digests counted today (a view's digest: 64 bits of a hash of the day's salt, the site, the reader's
    address and browser, and what was viewed). Deleted when the day is over."""

    digest = models.BigIntegerField(primary_key=True)
    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["day"], name="seen_day")]

    def __str__(self):
        return f"a view on {self.day}"


class DailySalt(models.Model):
    """The day's secret that digests are made with; deleted once the day is over, and with it any way to
    recognise the day's readers again."""

    day = models.DateField(primary_key=True)
    salt = models.CharField(max_length=64)

    def __str__(self):
        return f"the salt of {self.day}"


class PopularWindow(models.TextChoices):
    DAY = "24h", "the last 24 hours"
    WEEK = "7d", "the last 7 days"


@register_setting(icon="view")
class AnalyticsSettings(BaseSiteSetting):
    """Which period each "Most popular" list covers, and how long it may be."""

    home_popular_window = models.CharField(
        "most popular on the front page",
        max_length=3,
        choices=PopularWindow.choices,
        default=PopularWindow.DAY,
    )
    article_popular_window = models.CharField(
        "most popular beside articles",
        max_length=3,
        choices=PopularWindow.choices,
        default=PopularWindow.WEEK,
    )
    popular_count = models.PositiveSmallIntegerField(
        "stories in each list",
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(10)],
        help_text="From 3 to 10.",
    )

    panels = [FieldPanel("home_popular_window"), FieldPanel("article_popular_window"), FieldPanel("popular_count")]

    class Meta:
        verbose_name = "most popular"
