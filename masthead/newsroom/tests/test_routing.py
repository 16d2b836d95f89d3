"""Addresses: Ghost-compatible URLs, one slug namespace, and no input that makes the site answer 500."""

from django.core.exceptions import ValidationError
from django.test import TestCase

from masthead.newsroom.models import ArticlePage, SectionPage
from masthead.newsroom.models.routing import flat_slug_taken
from masthead.newsroom.services import site_structure_ensure
from masthead.newsroom.tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    StandardPageFactory,
    front_sections,
    published_article,
)

HOSTILE = [
    "abc",
    "-1",
    "0",
    "99999",
    "1.5",
    "1e309",
    "9" * 5000,
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "%00",
    "\u202e\u0000",
    "１",
    "NaN",
    "[]",
]


class RoutingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        cls.war, cls.analysis = front_sections(cls.home)
        author = AuthorFactory(slug="writer")
        for n in range(25):
            published_article(
                title=f"Item {n}",
                slug=f"item-{n}",
                section=cls.analysis,
                news_feed=True,
                hours_ago=50 - n,
                authors=[author],
            )
        published_article(title="Tagged", slug="tagged").tags.add("Kyiv")

    def test_bad_page_numbers_give_the_nearest_valid_page(self):
        for url in ["/war/", "/analysis/", "/news/", "/tag/kyiv/", "/author/writer/"]:
            for value in HOSTILE:
                with self.subTest(url=url, page=value[:20]):
                    response = self.client.get(url, {"page": value})
                    self.assertEqual(response.status_code, 400 if "\x00" in value else 200)
                    self.assertNotIn("<script>alert(1)</script>", response.content.decode())

    def test_page_beyond_the_end_shows_the_last_page(self):
        response = self.client.get("/analysis/", {"page": "99999"})
        self.assertEqual(response.context["articles"].number, 2)
        self.assertIn("Item 0", response.content.decode())

    def test_unknown_addresses_answer_404(self):
        for url in [
            "/no-such-story/",
            "/war/no-such/",
            "/articles/",
            "/articles/2026/",
            "/item-1/extra/",
            "/tag/none/",
            "/author/nobody/",
            "/tag/' OR 1=1 --/",
            "/author/%3Cscript%3E/",
            "/" + "a" * 3000 + "/",
            "/тест/",
            "/tag/ключ/",
            "/%F0%9F%92%A5/",
            "/analysis/x/y/z/",
            "/item-1/?page=abc&x=%00",
        ]:
            with self.subTest(url=url[:40]):
                response = self.client.get(url)
                if url.startswith("/item-1/?"):
                    self.assertEqual(response.status_code, 400)  # x=%00: a NUL, refused outright
                    continue
                self.assertEqual(response.status_code, 404)
                self.assertIn("Page not found", response.content.decode())

    def test_articles_and_nested_sections_answer_at_their_slug(self):
        self.assertEqual(self.analysis.url, "/analysis/")
        self.assertEqual(self.client.get("/analysis/").status_code, 200)
        article = ArticlePage.objects.get(slug="item-3")
        self.assertEqual(article.url, "/item-3/")
        self.assertEqual(article.full_url, "http://testserver/item-3/")
        self.assertEqual(self.client.get("/item-3/").status_code, 200)

    def test_top_level_page(self):
        StandardPageFactory(parent=self.home, title="About", slug="about")
        self.assertEqual(self.client.get("/about/").status_code, 200)

    def test_article_slug_cannot_take_a_section_or_page_address(self):
        folder = ArticlePage.objects.first().get_parent()
        for slug in ["war", "analysis", "news", "item-4", "tag", "admin"]:
            with self.subTest(slug=slug):
                article = ArticlePage(title="Clash", slug=slug)
                article.path, article.depth = folder.path + "9999", folder.depth + 1
                with self.assertRaises(ValidationError) as error:
                    article.full_clean()
                self.assertIn("slug", error.exception.message_dict)

    def test_section_slug_cannot_take_an_article_address(self):
        section = SectionPage(title="Clash", slug="item-5")
        section.path, section.depth = self.war.path + "9999", self.war.depth + 1
        with self.assertRaises(ValidationError):
            section.full_clean()

    def test_a_page_keeps_its_own_slug_when_saved_again(self):
        article = ArticlePage.objects.get(slug="item-2")
        self.assertFalse(flat_slug_taken(slug="item-2", exclude_page_id=article.pk))
        article.full_clean()


def test_article_factory_files_into_this_years_folder(home):
    article = ArticlePageFactory()
    assert article.get_parent().specific.__class__.__name__ == "ArticleYearPage"
