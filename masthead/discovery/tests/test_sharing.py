"""What pages tell search engines and the sites a link is shared on: JSON-LD read back with extruct (as a
search engine reads it), Open Graph and Twitter card tags, descriptions and absolute canonical addresses."""

from datetime import datetime

import extruct
from bs4 import BeautifulSoup
from django.test import TestCase
from taggit.models import Tag

from masthead.discovery.models import DiscoverySettings
from masthead.newsroom.models import NewsroomSettings, TagDetail
from masthead.newsroom.services import site_structure_ensure
from masthead.newsroom.tests.factories import (
    AuthorFactory,
    ImageFactory,
    StandardPageFactory,
    correction,
    front_sections,
    publish,
    published_article,
)

ROOT = "http://testserver"


def json_ld(html: str) -> dict[str, list[dict]]:
    """The page's JSON-LD items by @type."""
    found: dict[str, list[dict]] = {}
    for item in extruct.extract(html, base_url=ROOT, syntaxes=["json-ld"], uniform=True)["json-ld"]:
        found.setdefault(item["@type"], []).append(item)
    return found


def meta(html: str) -> dict[str, list[str]]:
    """Every <meta> by its property or name, and the canonical link, as lists of contents."""
    soup = BeautifulSoup(html, "html.parser")
    found: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
        if key := tag.get("property") or tag.get("name"):
            found.setdefault(key, []).append(tag.get("content"))
    found["canonical"] = [link["href"] for link in soup.find_all("link", rel="canonical")]
    found["alternate"] = [(link["type"], link["href"]) for link in soup.find_all("link", rel="alternate")]
    return found


class SharingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        cls.war, cls.analysis = front_sections(cls.home)
        newsroom = NewsroomSettings.for_site(cls.home.get_site())
        newsroom.tagline = "Independent news from the front line"
        newsroom.icon = ImageFactory(title="Icon", width=600, height=600)
        newsroom.save()
        cls.writer = AuthorFactory(
            name="Tetiana Writer", slug="tetiana-writer", role="Reporter", x_url="https://x.com/tw"
        )
        cls.second = AuthorFactory(name="Bohdan Second", slug="bohdan-second")
        cls.image = ImageFactory(title="Rally", caption="Relatives hold banners at a rally.")
        cls.article = published_article(
            title="Prisoners come home after the exchange",
            slug="prisoners-come-home",
            standfirst="Families met 150 soldiers at the border on Tuesday.",
            section=cls.analysis,
            featured_image=cls.image,
            authors=[cls.writer, cls.second],
        )
        cls.article.tags.add("Prisoners of war", "Russia")
        correction(cls.article, days_ago=0, text="An earlier version gave the wrong number of soldiers.")
        cls.article = publish(cls.article)

    def get(self, path: str) -> str:
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200, path)
        return response.content.decode()

    def test_article_news_article_data(self):
        html = self.get("/prisoners-come-home/")
        data = json_ld(html)
        article = data["NewsArticle"][0]
        self.assertEqual(article["headline"], "Prisoners come home after the exchange")
        self.assertEqual(article["url"], f"{ROOT}/prisoners-come-home/")
        self.assertEqual(article["description"], "Families met 150 soldiers at the border on Tuesday.")
        published = self.article.first_published_at
        self.assertEqual(datetime.fromisoformat(article["datePublished"]), published.replace(microsecond=0))
        self.assertRegex(article["datePublished"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
        self.assertGreaterEqual(article["dateModified"], article["datePublished"])
        self.assertEqual(
            [(a["@type"], a["name"], a["url"]) for a in article["author"]],
            [
                ("Person", "Tetiana Writer", f"{ROOT}/author/tetiana-writer/"),
                ("Person", "Bohdan Second", f"{ROOT}/author/bohdan-second/"),
            ],
        )
        publisher = article["publisher"]
        self.assertEqual(
            (publisher["@type"], publisher["name"], publisher["url"]), ("Organization", "Test Newsroom", f"{ROOT}/")
        )
        self.assertTrue(publisher["logo"]["url"].startswith(f"{ROOT}/media/images/"))
        self.assertEqual(publisher["logo"]["width"], 512)
        self.assertEqual(article["articleSection"], "Analysis")
        self.assertEqual(sorted(article["keywords"]), ["Prisoners of war", "Russia"])
        self.assertIs(article["isAccessibleForFree"], True)
        self.assertEqual(article["correction"][0]["@type"], "CorrectionComment")
        self.assertIn("wrong number", article["correction"][0]["text"])
        image = article["image"][0]
        self.assertEqual((image["width"], image["height"]), (1200, 630))
        self.assertTrue(image["url"].startswith(f"{ROOT}/media/images/"))
        crumbs = data["BreadcrumbList"][0]["itemListElement"]
        self.assertEqual(
            [(c["position"], c["name"], c["item"]) for c in crumbs],
            [
                (1, "Test Newsroom", f"{ROOT}/"),
                (2, "War", f"{ROOT}/war/"),
                (3, "Analysis", f"{ROOT}/analysis/"),
                (4, "Prisoners come home after the exchange", f"{ROOT}/prisoners-come-home/"),
            ],
        )

    def test_article_sharing_tags(self):
        tags = meta(self.get("/prisoners-come-home/"))
        self.assertEqual(tags["description"], ["Families met 150 soldiers at the border on Tuesday."])
        self.assertEqual(tags["canonical"], [f"{ROOT}/prisoners-come-home/"])
        self.assertEqual(tags["og:url"], [f"{ROOT}/prisoners-come-home/"])
        self.assertEqual(tags["og:type"], ["article"])
        self.assertEqual(tags["og:title"], ["Prisoners come home after the exchange"])
        self.assertEqual(tags["og:description"], tags["description"])
        self.assertTrue(tags["og:image"][0].startswith(f"{ROOT}/media/images/"))
        self.assertEqual((tags["og:image:width"], tags["og:image:height"]), (["1200"], ["630"]))
        self.assertEqual(tags["og:image:alt"], ["Relatives hold banners at a rally."])
        self.assertEqual(tags["twitter:card"], ["summary_large_image"])
        self.assertEqual(tags["twitter:image"], tags["og:image"])
        self.assertEqual(tags["article:section"], ["Analysis"])
        self.assertEqual(sorted(tags["article:tag"]), ["Prisoners of war", "Russia"])
        self.assertEqual(len(tags["article:published_time"]), 1)
        self.assertEqual(len(tags["article:modified_time"]), 1)
        self.assertIn(("application/rss+xml", "/feeds/rss/"), tags["alternate"])
        self.assertIn(("application/atom+xml", "/feeds/section/analysis/atom/"), tags["alternate"])

    def test_editors_override_the_shared_title_picture_and_description(self):
        other = ImageFactory(title="Border crossing")
        self.article.social_title = "They are home"
        self.article.social_image = other
        self.article.search_description = "A shorter line for search results."
        publish(self.article)
        tags = meta(self.get("/prisoners-come-home/"))
        self.assertEqual(tags["og:title"], ["They are home"])
        self.assertEqual(tags["description"], ["A shorter line for search results."])
        self.assertIn(other.renditions_made["social"]["jpeg"][0][0], tags["og:image"][0])
        self.assertEqual(tags["og:image:alt"], [other.caption])
        # The headline stays the page's and the data's own.
        self.assertEqual(json_ld(self.get("/prisoners-come-home/"))["NewsArticle"][0]["headline"], self.article.title)

    def test_home_page_organization_and_search_action(self):
        html = self.get("/")
        data = json_ld(html)
        self.assertEqual(data["Organization"][0]["name"], "Test Newsroom")
        self.assertEqual(data["Organization"][0]["url"], f"{ROOT}/")
        website = data["WebSite"][0]
        action = website["potentialAction"]
        self.assertEqual(action["@type"], "SearchAction")
        self.assertEqual(action["target"]["urlTemplate"], f"{ROOT}/search/?q={{query}}")
        self.assertEqual(action["query-input"], "required name=query")
        tags = meta(html)
        self.assertEqual(tags["canonical"], [f"{ROOT}/"])
        self.assertEqual(tags["description"], ["Independent news from the front line"])
        self.assertEqual(tags["og:type"], ["website"])

    def test_author_profile_page(self):
        html = self.get("/author/tetiana-writer/")
        profile = json_ld(html)["ProfilePage"][0]
        person = profile["mainEntity"]
        self.assertEqual((person["@type"], person["name"]), ("Person", "Tetiana Writer"))
        self.assertEqual(person["url"], f"{ROOT}/author/tetiana-writer/")
        self.assertEqual(person["jobTitle"], "Reporter")
        self.assertEqual(person["sameAs"], ["https://x.com/tw"])
        tags = meta(html)
        self.assertEqual(tags["canonical"], [f"{ROOT}/author/tetiana-writer/"])
        self.assertEqual(tags["og:type"], ["profile"])
        self.assertIn(("application/rss+xml", "/feeds/author/tetiana-writer/rss/"), tags["alternate"])

    def test_canonical_addresses_are_absolute_everywhere(self):
        TagDetail.objects.create(tag=Tag.objects.get(name="Russia"), description="Stories about Russia.")
        StandardPageFactory(parent=self.home, title="About us", slug="about")
        pages = {
            "/tag/russia/": f"{ROOT}/tag/russia/",
            "/tag/russia/?page=1": f"{ROOT}/tag/russia/",
            "/war/": f"{ROOT}/war/",
            "/news/": f"{ROOT}/news/",
            "/about/": f"{ROOT}/about/",
            "/newsletters/": f"{ROOT}/newsletters/",
        }
        for path, canonical in pages.items():
            with self.subTest(path):
                tags = meta(self.get(path))
                self.assertEqual(tags["canonical"], [canonical])
                self.assertEqual(tags["og:url"], [canonical])
        self.assertEqual(meta(self.get("/tag/russia/"))["description"], ["Stories about Russia."])

    def test_a_cached_page_names_the_site_not_the_host_asked_for(self):
        self.client.get("/prisoners-come-home/", HTTP_HOST="testserver")
        html = self.client.get("/prisoners-come-home/", HTTP_X_FORWARDED_HOST="evil.example").content.decode()
        self.assertNotIn("evil.example", html)

    def test_language_setting_shows_in_the_data(self):
        discovery = DiscoverySettings.for_site(self.home.get_site())
        discovery.language = "uk"
        discovery.save()
        article = json_ld(self.get("/prisoners-come-home/"))["NewsArticle"][0]
        self.assertEqual(article["inLanguage"], "uk")
        self.assertEqual(meta(self.get("/"))["og:locale"], ["uk"])

    def test_markup_in_a_headline_cannot_end_the_data_script(self):
        hostile = published_article(title='</script><script>alert(1)</script> & "quotes"', slug="hostile-headline")
        html = self.get(f"/{hostile.slug}/")
        self.assertNotIn("<script>alert(1)", html)
        self.assertEqual(json_ld(html)["NewsArticle"][0]["headline"], hostile.title)
