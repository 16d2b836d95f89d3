"""Sections of the paper (War, National, Opinion…), nested in a tree, each listing its articles."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from masthead.newsroom.models.routing import FlatURLMixin


class SectionPage(FlatURLMixin, Page):
    intro = models.TextField(blank=True)
    narrated = models.BooleanField(
        "articles read aloud", default=True, help_text="Its articles are narrated by the AI voice when published."
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    settings_panels = Page.settings_panels + [FieldPanel("narrated")]
    parent_page_types = ["newsroom.HomePage", "newsroom.SectionPage"]
    subpage_types = ["newsroom.SectionPage"]

    class Meta:
        verbose_name = "section"

    def get_context(self, request, *args, **kwargs):
        from masthead.newsroom import selectors
        from masthead.newsroom.models import ArticleListing

        context = super().get_context(request, *args, **kwargs)
        context["subsections"] = selectors.subsections(section=self)
        context["articles"] = selectors.listing_page(ArticleListing.Kind.SECTION, self.pk, request=request)
        return context
