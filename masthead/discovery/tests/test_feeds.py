"""The RSS and Atom feeds, read with feedparser as a feed reader reads them."""

from datetime import UTC, datetime, timedelta

import feedparser
from django.test import TestCase
from django.utils import timezone

from masthead.discovery.feeds import html_absolute
from masthead.discovery.models import DiscoverySettings
from masthead.newsroom.services import site_structure_ensure
from masthead.newsroom.tests.factories import (
    AuthorFactory,
    ImageFactory,
    SectionPageFactory,
    front_sections,
    paragraphs,
    publish,
    published_article,
)

ROOT = "http://testserver"


class FeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        cls.war, cls.analysis = front_sections(cls.home)
        cls.national = SectionPageFactory(parent=cls.home, title="National", slug="national")
        cls.writer = AuthorFactory(name="Tetiana Writer", slug="tetiana-writer")
        cls.second = AuthorFactory(name="Bohdan Second", slug="bohdan-second")
        cls.image = ImageFactory(title="Rally", caption="Relatives hold banners at a rally.")
        cls.lead = published_article(
            hours_ago=1,
            title="Prisoners come home",
            slug="prisoners-come-home",
            standfirst="Families met 150 soldiers at the border.",
            section=cls.analysis,
            featured_image=cls.image,
            authors=[cls.writer, cls.second],
            body=paragraphs('Read <a href="/earlier-story/">the earlier story</a>.', "Second paragraph."),
        )
        cls.lead.tags.add("Prisoners of war")
        cls.lead = publish(cls.lead, at=timezone.now() - timedelta(hours=1))
        cls.older = published_article(hours_ago=5, title="Schools reopen", slug="schools-reopen", section=cls.national)
        cls.older.tags.add("Schools")
        publish(cls.older, at=timezone.now() - timedelta(hours=5))

    def feed(self, path: str):
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200, path)
        parsed = feedparser.parse(response.content)
        self.assertFalse(parsed.bozo, f"{path}: {parsed.get('bozo_exception')}")
        return response, parsed

    def test_site_feeds_rss_and_atom(self):
        for path, version, kind in (("/feeds/rss/", "rss20", "rss+xml"), ("/feeds/atom/", "atom10", "atom+xml")):
            with self.subTest(path):
                response, parsed = self.feed(path)
                self.assertIn(kind, response["Content-Type"])
                self.assertEqual(parsed.version, version)
                self.assertEqual(parsed.feed.title, "Test Newsroom")
                self.assertEqual([e.title for e in parsed.entries], ["Prisoners come home", "Schools reopen"])
                entry = parsed.entries[0]
                self.assertEqual(entry.link, f"{ROOT}/prisoners-come-home/")
                self.assertEqual([a.name for a in entry.authors], ["Tetiana Writer", "Bohdan Second"])
                self.assertEqual(entry.id.removeprefix("urn:uuid:"), str(self.lead.translation_key))
                published = datetime(*entry.published_parsed[:6], tzinfo=UTC)
                self.assertEqual(published, self.lead.first_published_at.replace(microsecond=0))
                self.assertEqual({t.term for t in entry.tags}, {"Analysis", "Prisoners of war"})
                self.assertEqual(entry.summary, "Families met 150 soldiers at the border.")
                # The whole story, its links made absolute.
                self.assertIn(f'href="{ROOT}/earlier-story/"', entry.content[0].value)
                self.assertIn("Second paragraph.", entry.content[0].value)
                picture = entry.media_content[0]
                self.assertTrue(picture["url"].startswith(f"{ROOT}/media/images/"))
                self.assertEqual((picture["medium"], picture["width"]), ("image", "1200"))

    def test_summaries_only_by_setting(self):
        settings = DiscoverySettings.for_site(self.home.get_site())
        settings.feed_content = DiscoverySettings.FeedContent.SUMMARY
        settings.feed_items = 5
        settings.save()
        _, parsed = self.feed("/feeds/rss/")
        self.assertEqual(parsed.entries[0].summary, "Families met 150 soldiers at the border.")
        self.assertNotIn("content", parsed.entries[0])

    def test_section_tag_and_author_feeds(self):
        cases = {
            "/feeds/section/war/rss/": ["Prisoners come home"],  # its subsection's stories too
            "/feeds/section/national/atom/": ["Schools reopen"],
            "/feeds/tag/schools/rss/": ["Schools reopen"],
            "/feeds/tag/prisoners-of-war/atom/": ["Prisoners come home"],
            "/feeds/author/bohdan-second/rss/": ["Prisoners come home"],
            "/tag/schools/rss/": ["Schools reopen"],  # Ghost's addresses
            "/author/tetiana-writer/rss/": ["Prisoners come home"],
            "/rss/": ["Prisoners come home", "Schools reopen"],
        }
        for path, titles in cases.items():
            with self.subTest(path):
                _, parsed = self.feed(path)
                self.assertEqual([e.title for e in parsed.entries], titles)
        _, parsed = self.feed("/feeds/section/war/rss/")
        self.assertEqual(parsed.feed.title, "Test Newsroom: War")
        self.assertEqual(parsed.feed.link, f"{ROOT}/war/")

    def test_unknown_or_hostile_names_are_not_found(self):
        for path in (
            "/feeds/section/nowhere/rss/",
            "/feeds/tag/nothing/atom/",
            "/feeds/author/nobody/rss/",
            "/feeds/section/schools-reopen/rss/",  # a story, not a section
            "/feeds/tag/%3Cscript%3E/rss/",
            "/feeds/tag/' OR 1=1 --/rss/",
            "/feeds/author/" + "a" * 5000 + "/rss/",
        ):
            with self.subTest(path=path[:60]):
                self.assertEqual(self.client.get(path).status_code, 404)
        self.assertEqual(self.client.get("/feeds/tag/%00/rss/").status_code, 400)  # a NUL: refused outright

    def test_a_story_taken_down_leaves_the_feeds(self):
        self.older.unpublish()
        _, parsed = self.feed("/feeds/rss/")
        self.assertEqual([e.title for e in parsed.entries], ["Prisoners come home"])

    def test_feeds_are_cacheable_public_pages(self):
        response = self.client.get("/feeds/rss/")
        self.assertIn("s-maxage", response["Cache-Control"])
        self.assertNotIn("Cookie", response.get("Vary", ""))


class AbsoluteAddressTests(TestCase):
    def test_root_relative_addresses_become_absolute(self):
        html = '<a href="/a/">x</a><img src="/m/1.jpg" srcset="/m/1.jpg 400w, /m/2.jpg 800w"><a href="//cdn/x">y</a>'
        self.assertEqual(
            html_absolute(html, "https://news.example"),
            '<a href="https://news.example/a/">x</a><img src="https://news.example/m/1.jpg" '
            'srcset="https://news.example/m/1.jpg 400w, https://news.example/m/2.jpg 800w"><a href="//cdn/x">y</a>',
        )
