"""The sitemap index and its files, the Google News sitemap and robots.txt, parsed as XML."""

from datetime import timedelta
from unittest import mock

from django.test import TestCase
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from lxml import etree

from masthead.discovery import sitemaps
from masthead.newsroom.models import ArticlePage
from masthead.newsroom.services import site_structure_ensure
from masthead.newsroom.tests.factories import (
    AuthorFactory,
    ImageFactory,
    StandardPageFactory,
    front_sections,
    publish,
    published_article,
)

ROOT = "http://testserver"
NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        cls.war, cls.analysis = front_sections(cls.home)
        StandardPageFactory(parent=cls.home, title="About", slug="about")
        cls.writer = AuthorFactory(name="Tetiana Writer", slug="tetiana-writer")
        image = ImageFactory(title="Rally")
        cls.picture = image.renditions_made["figure"]["jpeg"][-1][0]
        # Stories 1 hour, 47 hours, 49 hours and 10 days old.
        cls.stories = []
        for n, hours in enumerate((240, 49, 47, 1)):
            story = published_article(
                hours_ago=hours,
                title=f"Story {hours} hours old",
                slug=f"story-{hours}",
                section=cls.war,
                authors=[cls.writer],
                featured_image=image if n == 3 else None,
            )
            story.tags.add("Energy")
            cls.stories.append(publish(story, at=timezone.now() - timedelta(hours=hours)))

    def xml(self, path: str):
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200, path)
        self.assertIn("xml", response["Content-Type"])
        return etree.fromstring(response.content)

    def locs(self, tree, path="s:url/s:loc") -> list[str]:
        return [e.text for e in tree.findall(path, NS)]

    def test_index_names_every_file_with_its_last_change(self):
        tree = self.xml("/sitemap.xml")
        files = self.locs(tree, "s:sitemap/s:loc")
        self.assertEqual(
            files,
            [
                f"{ROOT}/sitemap-pages.xml",
                f"{ROOT}/sitemap-articles-1.xml",
                f"{ROOT}/sitemap-tags-1.xml",
                f"{ROOT}/sitemap-authors-1.xml",
                f"{ROOT}/sitemap-news.xml",
            ],
        )
        lastmods = {
            s.findtext("s:loc", namespaces=NS): s.findtext("s:lastmod", namespaces=NS)
            for s in tree.findall("s:sitemap", NS)
        }
        newest = max(ArticlePage.objects.values_list("last_published_at", flat=True))
        self.assertEqual(parse_datetime(lastmods[f"{ROOT}/sitemap-articles-1.xml"]), newest.replace(microsecond=0))
        for path in files:  # every file named is there
            self.xml(path.removeprefix(ROOT))

    def test_stories_file_lists_each_live_story_with_lastmod_and_picture(self):
        tree = self.xml("/sitemap-articles-1.xml")
        self.assertEqual(self.locs(tree), [f"{ROOT}/story-{h}/" for h in (240, 49, 47, 1)])  # oldest first
        for url in tree.findall("s:url", NS):
            slug = url.find("s:loc", NS).text.removeprefix(ROOT).strip("/")
            story = ArticlePage.objects.get(slug=slug)
            self.assertEqual(
                parse_datetime(url.find("s:lastmod", NS).text), story.last_published_at.replace(microsecond=0)
            )
        images = [e.text for e in tree.findall("s:url/image:image/image:loc", NS)]
        self.assertEqual(images, [ROOT + self.picture])

    def test_files_never_pass_their_limit(self):
        self.assertLessEqual(sitemaps.URLS_PER_FILE, 50_000)
        ids = sorted(story.pk for story in self.stories)
        with mock.patch.object(sitemaps, "URLS_PER_FILE", 2):
            files = self.locs(self.xml("/sitemap.xml"), "s:sitemap/s:loc")
            story_files = [f for f in files if "/sitemap-articles-" in f]
            self.assertEqual(len(story_files), len({(pk - 1) // 2 for pk in ids}))
            listed = []
            for path in story_files:
                urls = self.locs(self.xml(path.removeprefix(ROOT)))
                self.assertLessEqual(len(urls), 2)
                listed += urls
            self.assertEqual(sorted(listed), sorted(f"{ROOT}/{story.slug}/" for story in self.stories))
            after = (ids[-1] - 1) // 2 + 2
            self.assertEqual(self.client.get(f"/sitemap-articles-{after}.xml").status_code, 404)

    def test_news_sitemap_holds_exactly_the_last_48_hours(self):
        tree = self.xml("/sitemap-news.xml")
        self.assertEqual(self.locs(tree), [f"{ROOT}/story-1/", f"{ROOT}/story-47/"])
        news = tree.find("s:url/news:news", NS)
        self.assertEqual(news.find("news:publication/news:name", NS).text, "Test Newsroom")
        self.assertEqual(news.find("news:publication/news:language", NS).text, "en")
        self.assertEqual(news.find("news:title", NS).text, "Story 1 hours old")
        published = parse_datetime(news.find("news:publication_date", NS).text)
        self.assertEqual(published, self.stories[3].first_published_at.replace(microsecond=0))

    def test_pages_tags_and_authors(self):
        self.assertEqual(
            sorted(self.locs(self.xml("/sitemap-pages.xml"))),
            [f"{ROOT}/", f"{ROOT}/about/", f"{ROOT}/analysis/", f"{ROOT}/news/", f"{ROOT}/war/"],
        )
        self.assertEqual(self.locs(self.xml("/sitemap-tags-1.xml")), [f"{ROOT}/tag/energy/"])
        self.assertEqual(self.locs(self.xml("/sitemap-authors-1.xml")), [f"{ROOT}/author/tetiana-writer/"])

    def test_unpublished_stories_leave(self):
        self.stories[3].unpublish()
        self.assertNotIn(f"{ROOT}/story-1/", self.locs(self.xml("/sitemap-articles-1.xml")))
        self.assertEqual(self.locs(self.xml("/sitemap-news.xml")), [f"{ROOT}/story-47/"])

    def test_robots_names_the_sitemaps(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response.status_code, 200)
        self.assertIn("text/plain", response["Content-Type"])
        text = response.content.decode()
        self.assertIn(f"Sitemap: {ROOT}/sitemap.xml", text)
        self.assertIn(f"Sitemap: {ROOT}/sitemap-news.xml", text)
        self.assertIn("Disallow: /admin/", text)

    def test_hostile_file_numbers_are_not_found(self):
        for path in (
            "/sitemap-articles-0.xml",
            "/sitemap-articles-99999999999999999999999.xml",
            "/sitemap-tags-100001.xml",
            "/sitemap-authors-0.xml",
            "/sitemap-articles--1.xml",
            "/sitemap-articles-1e3.xml",
        ):
            with self.subTest(path):
                self.assertEqual(self.client.get(path).status_code, 404)

    def test_publishing_purges_the_feeds_and_sitemaps(self):
        from masthead.newsroom.selectors import page_addresses

        paths = page_addresses(page=self.stories[3])
        for path in (
            "/feeds/rss/",
            "/feeds/atom/",
            "/rss/",
            "/feeds/section/war/rss/",
            "/feeds/tag/energy/atom/",
            "/tag/energy/rss/",
            "/feeds/author/tetiana-writer/rss/",
            "/sitemap.xml",
            "/sitemap-news.xml",
            "/sitemap-articles-1.xml",
        ):
            self.assertIn(path, paths)
