"""Factories for the newsroom's models, on wagtail_factories."""

from datetime import timedelta

import factory
import wagtail_factories
from django.utils import timezone
from factory.django import DjangoModelFactory
from wagtail.models import Page

from masthead.newsroom import services
from masthead.newsroom.models import (
    ArticleAuthor,
    ArticlePage,
    Author,
    Correction,
    NewsFeedPage,
    NewsroomImage,
    SectionPage,
    StandardPage,
)


class ImageFactory(wagtail_factories.ImageFactory):
    caption = factory.Sequence(lambda n: f"Caption of picture {n}")
    credit = factory.Sequence(lambda n: f"Photographer {n}/Agency")
    file = factory.django.ImageField(width=1300, height=800, color="navy")

    class Meta:
        model = NewsroomImage
        skip_postgeneration_save = True

    @factory.post_generation
    def renditions(self, create, extracted, **kwargs):
        """Made as the worker makes them after an upload; `renditions=False` leaves them to be made."""
        if create and extracted is not False:
            services.image_renditions_make(image_id=self.pk)
            self.renditions_made = NewsroomImage.objects.values_list("renditions_made", flat=True).get(pk=self.pk)


class AuthorFactory(DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Author Number{n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    role = "Reporter"
    bio = factory.LazyAttribute(lambda o: f"{o.name} writes for the test newsroom.")

    class Meta:
        model = Author


class SectionPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")

    class Meta:
        model = SectionPage


class StandardPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.Sequence(lambda n: f"page-{n}")

    class Meta:
        model = StandardPage


class NewsFeedPageFactory(wagtail_factories.PageFactory):
    title = "News Feed"
    slug = "news"

    class Meta:
        model = NewsFeedPage


def paragraphs(*texts: str) -> list:
    return [("paragraph", f"<p>{text}</p>") for text in texts]


class ArticlePageFactory(wagtail_factories.PageFactory):
    """An article filed in this year's archive folder; `authors=[...]` sets the byline in order."""

    title = factory.Sequence(lambda n: f"Test story number {n}")
    slug = factory.Sequence(lambda n: f"test-story-{n}")
    standfirst = "A short standfirst for the test story."
    body = factory.LazyFunction(lambda: paragraphs("First paragraph of the story.", "Second paragraph."))
    parent = factory.LazyFunction(lambda: services.archive_year_ensure(year=timezone.localdate().year))

    class Meta:
        model = ArticlePage
        skip_postgeneration_save = True

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        for order, author in enumerate(extracted or []):
            ArticleAuthor.objects.create(article=self, author=author, sort_order=order)


def publish(page: Page, at=None) -> Page:
    """Publish a page, backdating its first publication to `at` when given."""
    page.save_revision().publish()
    if at is not None:
        Page.objects.filter(pk=page.pk).update(first_published_at=at, last_published_at=at)
        services.article_listings_update(article_ids=[page.pk])  # listed under the back-dated time
        if isinstance(page.specific, ArticlePage):
            from masthead.discovery.services import story_index_update

            story_index_update(page_id=page.pk)  # and searched under it
    page.refresh_from_db()
    return page


def published_article(*, hours_ago: float = 1, **kwargs) -> ArticlePage:
    article = ArticlePageFactory(live=False, **kwargs)
    return publish(article, at=timezone.now() - timedelta(hours=hours_ago))


def correction(article: ArticlePage, *, days_ago: int, text: str) -> Correction:
    return Correction.objects.create(article=article, date=timezone.localdate() - timedelta(days=days_ago), text=text)


def front_sections(home) -> tuple[SectionPage, SectionPage]:
    """The News Feed page and the War section with Analysis under it, which most page tests start from."""
    NewsFeedPageFactory(parent=home)
    war = SectionPageFactory(parent=home, title="War", slug="war")
    return war, SectionPageFactory(parent=war, title="Analysis", slug="analysis")
