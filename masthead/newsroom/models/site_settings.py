"""Site-wide settings editors change in the admin: the promo bar, the menus, social and store links."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField

from masthead.newsroom.blocks import MenuBlock, SocialLinkBlock


@register_setting(icon="cog")
class NewsroomSettings(BaseSiteSetting):
    tagline = models.CharField(max_length=200, blank=True)
    icon = models.ForeignKey(
        "newsroom.NewsroomImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="site icon",
        help_text="Square, at least 512 pixels: the browser tab's icon and the icon on phones' home screens.",
    )

    promo_text = models.CharField("promo title", max_length=120, blank=True)
    promo_subtitle = models.CharField(max_length=200, blank=True)
    promo_url = models.URLField("promo link", blank=True)
    promo_button = models.CharField("button label", max_length=40, blank=True)
    promo_starts_at = models.DateTimeField(null=True, blank=True)
    promo_ends_at = models.DateTimeField(null=True, blank=True)

    primary_menu = StreamField(MenuBlock(), blank=True)
    footer_menu = StreamField(MenuBlock(), blank=True)
    social_links = StreamField([("link", SocialLinkBlock())], blank=True)
    store_url = models.URLField("store link", blank=True)

    # What the pages show is cached (menus, routes, rails, story cards, the layout's pieces, articles' published
    # content; newsroom/serving.py) under keys that carry these two: a save of these settings changes
    # `updated_at`, and any change to what pages show moves `pages_version` on (services.pages_changed).
    updated_at = models.DateTimeField(auto_now=True)
    pages_version = models.PositiveIntegerField(default=0, editable=False)
    # When a page last changed in public (published, unpublished, moved, deleted): with `updated_at`, the
    # Last-Modified of every page, since any page may show any article in its rails.
    pages_changed_at = models.DateTimeField(null=True, editable=False)

    panels = [
        FieldPanel("tagline"),
        FieldPanel("icon"),
        MultiFieldPanel(
            [
                FieldPanel("promo_text"),
                FieldPanel("promo_subtitle"),
                FieldPanel("promo_url"),
                FieldPanel("promo_button"),
                FieldPanel("promo_starts_at"),
                FieldPanel("promo_ends_at"),
            ],
            "Promo bar",
        ),
        FieldPanel("primary_menu"),
        FieldPanel("footer_menu"),
        FieldPanel("social_links"),
        FieldPanel("store_url"),
    ]

    class Meta:
        verbose_name = "newsroom settings"

    def clean(self):
        super().clean()
        if self.promo_starts_at and self.promo_ends_at and self.promo_ends_at <= self.promo_starts_at:
            raise ValidationError({"promo_ends_at": "The promo must end after it starts."})
        if self.promo_text and not self.promo_url:
            raise ValidationError({"promo_url": "A promo needs a link."})

    def content_changed_at(self):
        return max(filter(None, [self.updated_at, self.pages_changed_at]), default=None)

    def promo_active(self, now=None) -> bool:
        now = now or timezone.now()
        if not (self.promo_text and self.promo_url):
            return False
        if self.promo_starts_at and now < self.promo_starts_at:
            return False
        return not (self.promo_ends_at and now >= self.promo_ends_at)
