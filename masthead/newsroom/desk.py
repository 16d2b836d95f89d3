"""The article desk: every article of every year folder in one admin listing, with the columns and filters
editors work by (section, bylines, status, News Feed, tag, dates, "mine"), fast at 100,000 articles.

Speed: the listing orders by an indexed date of the page table (migration newsroom 0013), counts at most
`DESK_MAX_ROWS` rows (a count of a bounded subquery, so page 1 of "all articles" costs the same at 100,000 as
at 1,000) and so offers at most `DESK_MAX_ROWS / 50` pages: past that, editors narrow with a filter. The
statuses "in review" and "scheduled" are a handful of rows in Wagtail's workflow and revision tables, read
first and used as lists of ids.
"""

import django_filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.forms.utils import flatatt
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from taggit.models import Tag
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, UserColumn
from wagtail.admin.ui.tables.pages import BulkActionsColumn, PageTitleColumn
from wagtail.admin.views.pages.listing import IndexView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.models import Page, Revision, WorkflowState

from masthead.newsroom.models import ArticleAuthor, ArticlePage, Author, SectionPage

DESK_MAX_ROWS = 10_000


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "review", "In review"
    SCHEDULED = "scheduled", "Scheduled"
    LIVE = "live", "Live"
    CHANGED = "changed", "Live, changed since publishing"


def articles_in_review_ids() -> list[int]:
    states = WorkflowState.objects.active().filter(base_content_type=ContentType.objects.get_for_model(Page))
    return [int(pk) for pk in states.values_list("object_id", flat=True)]


def articles_scheduled_ids() -> list[int]:
    revisions = Revision.page_revisions.filter(approved_go_live_at__isnull=False)
    return [int(pk) for pk in revisions.values_list("object_id", flat=True)]


def articles_of_q(user) -> Q:
    """The user's articles: those they started, and those bylined to their Author profile (two subqueries on
    indexes, not a join that could repeat an article)."""
    owned = ArticlePage.objects.filter(owner=user).order_by().values("pk")
    bylined = ArticleAuthor.objects.filter(author__user=user).order_by().values("article_id")
    return Q(pk__in=owned) | Q(pk__in=bylined)


def scheduled_at() -> Subquery:
    """The go-live time of an article's scheduled revision, as an annotation."""
    revision = Revision.page_revisions.filter(
        approved_go_live_at__isnull=False, object_id=Cast(OuterRef("pk"), output_field=CharField())
    )
    return Subquery(revision.values("approved_go_live_at")[:1])


def articles_by_status(queryset, status: str):
    if status == Status.IN_REVIEW:
        return queryset.filter(pk__in=articles_in_review_ids())
    if status == Status.SCHEDULED:
        return queryset.filter(pk__in=articles_scheduled_ids())
    if status == Status.DRAFT:
        # Few among many: their ids from the index on `live` (migration 0014), then the page of them in order.
        drafts = ArticlePage.objects.filter(live=False).order_by().values_list("pk", flat=True)
        return queryset.filter(pk__in=set(drafts) - {*articles_in_review_ids(), *articles_scheduled_ids()})
    if status == Status.LIVE:
        return queryset.filter(live=True, has_unpublished_changes=False)
    if status == Status.CHANGED:
        return queryset.filter(live=True, has_unpublished_changes=True)
    return queryset


def article_status(page: ArticlePage) -> tuple[str, str]:
    """(status, the words the desk shows), from what the listing's queryset annotated and prefetched."""
    if page.workflow_in_progress:
        return Status.IN_REVIEW, Status.IN_REVIEW.label
    if page.scheduled_at:
        return Status.SCHEDULED, f"Scheduled for {page.scheduled_at:%-d %b %Y, %H:%M}"
    if not page.live:
        return Status.DRAFT, Status.DRAFT.label
    if page.has_unpublished_changes:
        return Status.CHANGED, Status.CHANGED.label
    return Status.LIVE, Status.LIVE.label


class QuickSelect(forms.Select):
    """A select drawn in Python: Django's widget templates cost about a tenth of a millisecond an option, and
    the author and tag filters have hundreds."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = "" if value in (None, "") else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, mark_safe(" selected") if str(key) == chosen else "", label) for key, label in self.choices),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


class ArticleFilterSet(WagtailFilterSet):
    mine = django_filters.BooleanFilter(
        label="Mine", method="filter_mine", widget=forms.CheckboxInput, help_text="Written or bylined by me"
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=Status.choices, method="filter_status", empty_label="Any", widget=forms.RadioSelect
    )
    section = django_filters.ModelChoiceFilter(
        label="Section", queryset=SectionPage.objects.order_by("title"), field_name="section", widget=QuickSelect
    )
    author = django_filters.ModelChoiceFilter(
        label="Author", queryset=Author.objects.order_by("name"), method="filter_author", widget=QuickSelect
    )
    tag = django_filters.ModelChoiceFilter(
        label="Tag", queryset=Tag.objects.order_by("name"), method="filter_tag", widget=QuickSelect
    )
    news_feed = django_filters.BooleanFilter(label="In the News Feed", field_name="news_feed")
    published = django_filters.DateFromToRangeFilter(
        label="Published", field_name="first_published_at", widget=DateRangePickerWidget
    )
    updated = django_filters.DateFromToRangeFilter(
        label="Updated", field_name="latest_revision_created_at", widget=DateRangePickerWidget
    )

    class Meta:
        model = ArticlePage
        fields = []

    def filter_status(self, queryset, name, value):
        return articles_by_status(queryset, value)

    def filter_author(self, queryset, name, value):
        # A subquery on the bylines' own index rather than a join, which could repeat an article.
        return queryset.filter(pk__in=value.bylines.values("article_id")) if value else queryset

    def filter_tag(self, queryset, name, value):
        tagged = value.newsroom_articletag_items.values("content_object_id") if value else None
        return queryset.filter(pk__in=tagged) if value else queryset

    def filter_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        return queryset.filter(articles_of_q(self.request.user))


class BoundedPaginator(WagtailPaginator):
    """Counts at most DESK_MAX_ROWS rows: the count of a bounded subquery costs the same at any size."""

    @cached_property
    def count(self):
        objects = self.object_list
        if isinstance(objects, QuerySet):
            # Only the ids: the rows' annotations (status, schedule) would otherwise be worked out for every row.
            return objects.order_by().values("pk")[:DESK_MAX_ROWS].count()
        return objects[:DESK_MAX_ROWS].count()  # search results

    @cached_property
    def items_count_label(self):
        if self.count >= DESK_MAX_ROWS:
            return f"More than {DESK_MAX_ROWS:,} articles: filter to see the older ones"
        return super().items_count_label


def _bylines(page) -> str:
    return ", ".join(byline.author.name for byline in page.authors.all())


def _status(page) -> str:
    return article_status(page)[1]


class ArticleDeskView(IndexView):
    paginator_class = BoundedPaginator
    default_ordering = "-latest_revision_created_at"
    page_title = "Article desk"

    def paginate_queryset(self, queryset, page_size):
        """The page's ids first, by a narrow query on the indexes (filters and ordering only), then those rows
        with their section, editor, status and bylines: PostgreSQL otherwise joined all of that for every
        row it walked past (a rare tag at 100,000 articles: 300 ms)."""
        if not isinstance(queryset, QuerySet):
            return super().paginate_queryset(queryset, page_size)  # search results, already a page at a time
        paginator, page, ids, is_paginated = super().paginate_queryset(queryset.values_list("pk", flat=True), page_size)
        ids = list(ids)
        rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
        page.object_list = [rows[pk] for pk in ids if pk in rows]
        return paginator, page, page.object_list, is_paginated

    def get_base_queryset(self):
        # Every article, not only those Wagtail's explorer offers the user: the desk is for reading what the
        # newsroom is working on; what each person may do to an article is still checked by its buttons.
        return (
            ArticlePage.objects.defer_streamfields()
            .select_related("section", "latest_revision__user__wagtail_userprofile", "content_type")
            .prefetch_related("authors__author")
            .prefetch_workflow_states()
            .annotate_approved_schedule()
            .annotate_site_root_state()
            .annotate(scheduled_at=scheduled_at())
        )


class ArticleDeskViewSet(PageListingViewSet):
    model = ArticlePage
    index_view_class = ArticleDeskView
    filterset_class = ArticleFilterSet
    icon = "doc-full-inverse"
    menu_label = "Article desk"
    menu_name = "article_desk"
    menu_order = 45
    add_to_admin_menu = True
    name = "article_desk"
    columns = [
        BulkActionsColumn("bulk_actions"),
        PageTitleColumn("title", label="Headline", sort_key="title", classname="title"),
        Column("section", label="Section", accessor="section.title"),
        Column("bylines", label="Bylines", accessor=_bylines),
        Column("status", label="Status", accessor=_status, sort_key="live"),
        BooleanColumn("news_feed", label="News Feed", sort_key="news_feed"),
        UserColumn("last_editor", label="Last edited by", accessor="latest_revision.user", blank_display_name="—"),
        DateColumn("latest_revision_created_at", label="Updated", sort_key="latest_revision_created_at"),
        DateColumn("first_published_at", label="Published", sort_key="first_published_at"),
    ]


def articles_my_drafts(*, user, limit: int = 8) -> list[ArticlePage]:
    """The user's articles not yet published (started by them or bylined to them), last edited first."""
    drafts = ArticlePage.objects.filter(articles_of_q(user), live=False).exclude(pk__in=articles_scheduled_ids())
    return list(drafts.defer_streamfields().order_by("-latest_revision_created_at")[:limit])


def articles_waiting_for_review(*, limit: int = 8) -> list[ArticlePage]:
    """Articles submitted to Editorial review, the longest waiting first."""
    waiting = ArticlePage.objects.filter(pk__in=articles_in_review_ids()).defer_streamfields()
    return list(waiting.order_by("latest_revision_created_at")[:limit])


def articles_scheduled_next(*, limit: int = 8) -> list[ArticlePage]:
    """Articles scheduled to go live, the soonest first, each with `scheduled_at`."""
    pages = ArticlePage.objects.filter(pk__in=articles_scheduled_ids()).annotate(scheduled_at=scheduled_at())
    return list(pages.defer_streamfields().order_by("scheduled_at")[:limit])


class DeskPanel(Component):
    """A dashboard panel: a few articles and a link to the desk filtered to all of them."""

    template_name = "newsroom/admin/desk_panel.html"

    def __init__(self, *, name: str, heading: str, articles: list, filters: dict, when: str, order: int):
        self.name, self.heading, self.articles, self.filters, self.when, self.order = (
            name, heading, articles, filters, when, order
        )  # fmt: skip

    def get_context_data(self, parent_context):
        from django.urls import reverse
        from django.utils.http import urlencode

        return {
            "panel": self,
            "desk_url": f"{reverse('article_desk:index')}?{urlencode(self.filters)}",
        }


def dashboard_panels(*, user) -> list[DeskPanel]:
    panels = [
        DeskPanel(name="my_drafts", heading="My drafts", articles=articles_my_drafts(user=user),
                  filters={"mine": "on", "status": Status.DRAFT}, when="edited", order=90),
        DeskPanel(name="scheduled_next", heading="Scheduled next", articles=articles_scheduled_next(),
                  filters={"status": Status.SCHEDULED}, when="scheduled", order=96),
    ]  # fmt: skip
    if user.is_superuser or user.groups.filter(name__in=["Editors", "Administrators"]).exists():
        panels.insert(1, DeskPanel(name="waiting_for_review", heading="Waiting for review",
                                   articles=articles_waiting_for_review(), filters={"status": Status.IN_REVIEW},
                                   when="submitted", order=93))  # fmt: skip
    return panels
