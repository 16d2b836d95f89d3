"""Sections of the paper (War, National, Opinion…), nested in a tree, each listing its articles."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from masthead.newsroom.models.routing import FlatURLMixin
from masthead.newsroom.page_forms import PageForm


class SectionPage(FlatURLMixin, Page):
    intro = models.TextField(blank=True)
    narrated = models.BooleanField(
        "articles read aloud", default=True, help_text="Its articles are narrated by the AI voice when published."
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    narration_voice = models.CharField(
        "voice",
        max_length=200,
        blank=True,
        help_text="Who reads its articles, as engine:voice (e.g. espeak-ng:uk for Ukrainian). Empty: the site's voice.",
    )
    settings_panels = Page.settings_panels + [FieldPanel("narrated"), FieldPanel("narration_voice")]

    def clean(self):
        super().clean()
        if self.narration_voice:
            from django.core.exceptions import ValidationError

            from masthead.narration.engines import EngineError, voice_parse

            try:
                voice_parse(self.narration_voice)
            except EngineError as error:
                raise ValidationError({"narration_voice": str(error)}) from error

    base_form_class = PageForm
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
