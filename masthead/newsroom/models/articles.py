"""Articles, the folders that hold them (an index, then one folder per year), bylines and corrections."""

import html
import math
import re

from django import forms
from django.conf import settings
from django.db import models
from django.http import Http404
from django.utils import timezone
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, TitleFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from masthead.narration.panels import NarrationPanel
from masthead.newsroom.blocks import ArticleBodyBlock
from masthead.newsroom.models.permissions import ArticlePermissionTester, FolderPermissionTester
from masthead.newsroom.models.routing import FlatURLMixin
from masthead.newsroom.page_forms import ArticleForm, PageForm


class ContainerPage(Page):
    """A folder in the page tree; it has no public page of its own."""

    base_form_class = PageForm

    def route(self, request, path_components):
        raise Http404

    def get_sitemap_urls(self, request=None):
        return []

    def permissions_for_user(self, user):
        return FolderPermissionTester(user, self)

    class Meta:
        abstract = True


class ArticleIndexPage(ContainerPage):
    parent_page_types = ["newsroom.HomePage"]
    subpage_types = ["newsroom.ArticleYearPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = "article archive"


class ArticleYearPage(ContainerPage):
    parent_page_types = ["newsroom.ArticleIndexPage"]
    subpage_types = ["newsroom.ArticlePage"]

    class Meta:
        verbose_name = "article year"


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey("newsroom.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items")


class ArticlePage(FlatURLMixin, Page):
    standfirst = models.TextField(blank=True, help_text="The one or two sentences under the headline.")
    section = models.ForeignKey(
        "newsroom.SectionPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    featured_image = models.ForeignKey(
        "newsroom.NewsroomImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    featured_image_alt = models.CharField(
        max_length=250, blank=True, help_text="Describe the image for screen readers; defaults to its caption."
    )
    body = StreamField(ArticleBodyBlock(), blank=True)
    tags = ClusterTaggableManager(through=ArticleTag, blank=True)
    news_feed = models.BooleanField(
        "in the news feed", default=False, db_index=True, help_text="Short news shown in the News Feed stream."
    )
    newsletters = ParentalManyToManyField(
        "newsletters.Newsletter",
        blank=True,
        related_name="+",
        limit_choices_to={"archived": False},
        verbose_name="send to newsletters",
        help_text="When the story is published it is emailed to these newsletters' subscribers, once: publishing "
        "it again sends nothing more.",
    )
    narrated = models.BooleanField(
        "read aloud", default=True, help_text="Narrated by the AI voice when published (unless its section is not)."
    )
    updated_at = models.DateTimeField(
        "updated", null=True, blank=True, help_text="Set when the story changed in substance."
    )
    social_title = models.CharField(
        "title when shared",
        max_length=200,
        blank=True,
        help_text="The title a shared link shows on social networks and messengers. Empty: the headline.",
    )
    social_image = models.ForeignKey(
        "newsroom.NewsroomImage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="picture when shared",
        help_text="Cropped to 1200×630 around its focal point. Empty: the featured image.",
    )

    content_panels = [
        TitleFieldPanel("title", heading="Headline", placeholder="Headline*"),
        FieldPanel("standfirst"),
        InlinePanel("authors", heading="Authors", label="Author"),
        MultiFieldPanel([FieldPanel("section"), FieldPanel("tags"), FieldPanel("news_feed")], "Placement"),
        MultiFieldPanel([FieldPanel("featured_image"), FieldPanel("featured_image_alt")], "Featured image"),
        FieldPanel("body"),
        FieldPanel("updated_at"),
        InlinePanel("corrections", label="Corrections"),
        FieldPanel("publish_anyway"),
        FieldPanel("newsletters", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel([FieldPanel("narrated"), NarrationPanel()], "Narration"),
    ]
    promote_panels = Page.promote_panels + [
        MultiFieldPanel([FieldPanel("social_title"), FieldPanel("social_image")], "Sharing"),
    ]
    # Autocomplete too: every search in the admin (the desk, the page search, the choosers) is an autocomplete
    # search, and an editor looks for a word of the body or a byline, whole or begun ("Zoloti", "Hrazh").
    search_fields = Page.search_fields + [
        index.SearchField("standfirst"),
        index.AutocompleteField("standfirst"),
        index.SearchField("body"),
        index.AutocompleteField("body"),
        index.RelatedFields(
            "authors",
            [index.RelatedFields("author", [index.SearchField("name"), index.AutocompleteField("name")])],
        ),
        index.RelatedFields("tags", [index.SearchField("name"), index.AutocompleteField("name")]),
        index.FilterField("news_feed"),
        index.FilterField("section"),
    ]
    parent_page_types = ["newsroom.ArticleYearPage"]
    subpage_types = []
    base_form_class = ArticleForm

    class Meta:
        verbose_name = "article"

    def permissions_for_user(self, user):
        return ArticlePermissionTester(user, self)

    @classmethod
    def serving_queryset(cls):
        """How serving loads an article: with what its page shows first, and without its body's source (the
        body comes rendered, selectors.article_body)."""
        return cls.objects.defer_streamfields().select_related("featured_image")

    def get_context(self, request, *args, **kwargs):
        from masthead.newsroom.selectors import article_page_context
        from masthead.newsroom.serving import pages_version

        context = super().get_context(request, *args, **kwargs)
        context.update(article_page_context(article=self, request=request, version=pages_version(request)))
        return context

    @property
    def body_text(self) -> str:
        """The words a reader reads in the body, as plain text (search snippets, the Content API's plaintext)."""
        blocks = self.body.raw_data
        return "\n\n".join(text for b in blocks if (text := block_text(b["type"], b["value"]).strip()))

    @property
    def word_count(self) -> int:
        return len(self.standfirst.split()) + len(self.body_text.split())

    @property
    def reading_minutes(self) -> int:
        return max(1, math.ceil(self.word_count / settings.MASTHEAD_WORDS_PER_MINUTE))

    @property
    def published_at(self):
        return self.first_published_at or self.go_live_at or timezone.now()

    @property
    def image_alt(self) -> str:
        if self.featured_image_alt:
            return self.featured_image_alt
        return self.featured_image.default_alt if self.featured_image else ""


TAG = re.compile(r"<[^>]*>")


def html_text(value: str) -> str:
    """The text of the body's own rich-text HTML (well-formed, from the editor): tags out, entities read."""
    return html.unescape(TAG.sub("", value))


def block_text(block_type: str, value) -> str:
    """The words a reader reads in one body block, from its stored (raw) value: no block is converted, so a
    story's text costs microseconds (related-story teasers and embeds don't count)."""
    if not isinstance(value, dict | str):
        return ""
    match block_type:
        case "paragraph":
            return html_text(value) if isinstance(value, str) else ""
        case "heading":
            return str(value.get("text") or "") if isinstance(value, dict) else ""
        case "quote" if isinstance(value, dict):
            return f"{value.get('text') or ''} {value.get('attribution') or ''}".strip()
        case "fact_box" if isinstance(value, dict):
            return f"{value.get('title') or ''} {html_text(value.get('body') or '')}".strip()
        case "image" if isinstance(value, dict):
            return str(value.get("caption") or "")
    return ""


class ArticleAuthor(Orderable):
    article = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="authors")
    author = models.ForeignKey("newsroom.Author", on_delete=models.CASCADE, related_name="bylines")

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        unique_together = [("article", "author")]

    def __str__(self):
        return str(self.author)


class Correction(models.Model):
    article = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="corrections")
    date = models.DateField(default=timezone.localdate)
    text = models.TextField()

    panels = [FieldPanel("date"), FieldPanel("text")]

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date}: {self.text[:60]}"
