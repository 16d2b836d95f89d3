"""The listings table (models/listings.py) follows what is live: publishing, changing, unpublishing, deleting an
article, moving a section, deleting a tag or an author; a rebuild from scratch gives the same rows."""

from datetime import timedelta

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import TestCase
from django.utils import timezone
from taggit.models import Tag

from masthead.newsroom import selectors, services
from masthead.newsroom.models import ArticleListing, ArticlePage
from masthead.newsroom.services import site_structure_ensure
from masthead.newsroom.tests.factories import (
    AuthorFactory,
    SectionPageFactory,
    front_sections,
    publish,
    published_article,
)

Kind = ArticleListing.Kind


def rows(article) -> set[tuple[int, int]]:
    return set(ArticleListing.objects.filter(article_id=article.pk).values_list("kind", "key"))


def all_rows() -> set[tuple]:
    return set(ArticleListing.objects.values_list("kind", "key", "article_id", "published_at"))


class ListingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = site_structure_ensure(site_name="Test Newsroom")
        cls.war, cls.analysis = front_sections(cls.home)
        cls.national = SectionPageFactory(parent=cls.home, title="National", slug="national")
        cls.writer, cls.editor = AuthorFactory(), AuthorFactory()

    def article(self, **kwargs) -> ArticlePage:
        kwargs.setdefault("section", self.analysis)
        kwargs.setdefault("authors", [self.writer, self.editor])
        article = published_article(**kwargs)
        return article

    def test_a_published_article_is_listed_everywhere_it_shows(self):
        article = self.article(news_feed=True)
        article.tags.add("Energy", "Riverton")
        publish(article)
        tags = dict(Tag.objects.values_list("name", "pk"))
        expected = {
            (Kind.ALL, 0),
            (Kind.NEWS_FEED, 0),
            (Kind.SECTION, self.analysis.pk),
            (Kind.SECTION, self.war.pk),  # the section above: /war/ lists Analysis's stories too
            (Kind.TAG, tags["Energy"]),
            (Kind.TAG, tags["Riverton"]),
            (Kind.AUTHOR, self.writer.pk),
            (Kind.AUTHOR, self.editor.pk),
        }
        self.assertEqual(rows(article), expected)
        listed_at = ArticleListing.objects.filter(article_id=article.pk).values_list("published_at", flat=True)
        self.assertEqual(set(listed_at), {article.first_published_at})

    def test_publishing_a_change_moves_it_between_listings(self):
        article = self.article(news_feed=True)
        article.tags.add("Energy")
        publish(article)
        article.section = self.national
        article.news_feed = False
        article.tags.set(["Courts"])
        publish(article)
        courts = Tag.objects.get(name="Courts").pk
        self.assertEqual(
            rows(article),
            {
                (Kind.ALL, 0),
                (Kind.SECTION, self.national.pk),
                (Kind.TAG, courts),
                (Kind.AUTHOR, self.writer.pk),
                (Kind.AUTHOR, self.editor.pk),
            },
        )

    def test_a_draft_is_not_listed_until_it_is_published(self):
        article = self.article()
        article.title = "A headline still in draft"
        article.section = self.national
        article.save_revision()  # saved, not published: the live version stays where it was
        self.assertIn((Kind.SECTION, self.analysis.pk), rows(article))
        self.assertNotIn((Kind.SECTION, self.national.pk), rows(article))

    def test_unpublishing_and_deleting_take_it_off_every_listing(self):
        gone, deleted = self.article(), self.article()
        gone.unpublish()
        self.assertEqual(rows(gone), set())
        deleted_id = deleted.pk
        deleted.delete()
        self.assertFalse(ArticleListing.objects.filter(article_id=deleted_id).exists())

    def test_moving_a_section_moves_its_stories_between_listings(self):
        article = self.article()
        self.analysis.move(self.home, pos="last-child")
        self.assertEqual(
            {key for kind, key in rows(article) if kind == Kind.SECTION},
            {self.analysis.pk},
            "moved out of War, Analysis's stories no longer list under it",
        )
        self.assertNotIn(article.pk, selectors.listing(Kind.SECTION, self.war.pk))

    def test_a_deleted_tag_author_or_section_takes_its_listing_with_it(self):
        article = self.article()
        article.tags.add("Energy")
        publish(article)
        energy = Tag.objects.get(name="Energy")
        energy.delete()
        self.writer.delete()
        self.assertFalse(ArticleListing.objects.filter(kind=Kind.TAG, key=energy.pk).exists())
        self.assertFalse(ArticleListing.objects.filter(kind=Kind.AUTHOR, key=self.writer.pk).exists())
        self.analysis.delete()
        self.assertFalse(ArticleListing.objects.filter(kind=Kind.SECTION, key=self.analysis.pk).exists())

    def test_newest_first_with_back_dated_stories_in_their_place(self):
        newer = self.article(hours_ago=1)
        older = self.article(hours_ago=30)
        backdated = self.article(hours_ago=10)  # published last, dated between the other two
        self.assertEqual(list(selectors.listing(Kind.ALL)), [newer.pk, backdated.pk, older.pk])
        self.assertEqual(selectors.latest_ids(limit=2, exclude=[newer.pk]), [backdated.pk, older.pk])

    def test_scheduled_publishing_lists_the_story_when_it_goes_live(self):
        article = published_article(hours_ago=1, section=self.analysis)
        article.unpublish()
        article.go_live_at = timezone.now() - timedelta(seconds=1)
        article.save_revision(approved_go_live_at=article.go_live_at)
        self.assertEqual(rows(article), set())
        services.scheduled_publishing_run()
        self.assertIn((Kind.SECTION, self.war.pk), rows(article))

    def test_a_rebuild_from_scratch_gives_the_same_rows(self):
        for n in range(5):
            article = self.article(hours_ago=n + 1, news_feed=n % 2 == 0)
            article.tags.add(f"Tag {n % 3}")
            publish(article, at=article.first_published_at)
        self.article().unpublish()
        kept = all_rows()
        made = services.article_listings_update()
        self.assertEqual(made, len(kept))
        self.assertEqual(all_rows(), kept)

    def test_the_migration_lists_with_the_historical_models(self):
        for n in range(3):
            self.article(hours_ago=n + 1).tags.add("Energy")
        kept = all_rows()
        ArticleListing.objects.all().delete()
        historical = MigrationLoader(connection).project_state(("newsroom", "0008_article_listings")).apps
        services.article_listings_update(models=historical)
        self.assertEqual(all_rows(), kept)

    def test_section_page_count_follows_a_new_story(self):
        self.article()
        page = self.client.get("/war/")
        self.assertEqual(page.context["articles"].paginator.count, 1)
        self.article()
        page = self.client.get("/war/")
        self.assertEqual(page.context["articles"].paginator.count, 2, "the kept count moves on with the pages")
