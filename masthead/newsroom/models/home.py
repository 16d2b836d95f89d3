"""The front page: a lead story, top stories and Editors' Picks chosen by hand, section blocks."""

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, Page

from masthead.newsroom.models.routing import flat_article_for_slug, flat_section_for_slug


class HomePage(Page):
    lead_story = models.ForeignKey(
        "newsroom.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Leave empty to lead with the newest article.",
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("lead_story"), InlinePanel("top_stories", label="Top story", max_num=4)], "Top of the page"
        ),
        InlinePanel("editors_picks", label="Editors' Pick", max_num=10),
        InlinePanel("section_blocks", label="Section block"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "home page"

    def route(self, request, path_components):
        """Sections and articles answer at /<slug>/ (see routing.FlatURLMixin)."""
        if not path_components:
            return super().route(request, path_components)
        slug, rest = path_components[0], path_components[1:]
        # Articles first: they are most of the traffic, and one query finds one.
        page = flat_article_for_slug(slug=slug)
        if page is None:
            child = self.get_children().filter(slug=slug).first()
            page = child.specific if child else flat_section_for_slug(slug=slug)
        if page is None:
            raise Http404
        return page.route(request, rest)

    def get_context(self, request, *args, **kwargs):
        from masthead.newsroom import selectors, serving

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.home_page_context(home=self, request=request, version=serving.pages_version(request)))
        return context


class HomeTopStory(Orderable):
    home = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="top_stories")
    article = models.ForeignKey("newsroom.ArticlePage", on_delete=models.CASCADE, related_name="+")
    panels = [FieldPanel("article")]


class HomeEditorsPick(Orderable):
    """One of the Editors' Picks, shown from `starts_at` (or at once) until `ends_at` (or until removed). The
    pages that show the list are kept by caches for up to `MASTHEAD_CACHE_SECONDS`, so a pick appears or goes
    within that much of its time."""

    home = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="editors_picks")
    article = models.ForeignKey("newsroom.ArticlePage", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField("show from", null=True, blank=True, help_text="Empty: as soon as published.")
    ends_at = models.DateTimeField("show until", null=True, blank=True, help_text="Empty: until removed.")
    panels = [FieldPanel("article"), FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")])]

    def clean(self):
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "The end must come after the start."})


class HomeSectionBlock(Orderable):
    home = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="section_blocks")
    section = models.ForeignKey("newsroom.SectionPage", on_delete=models.CASCADE, related_name="+")
    panels = [FieldPanel("section")]
