"""Filters in Ghost's language on Masthead's stories, tags and authors."""

from datetime import UTC, timedelta

from django.test import TestCase
from django.utils import timezone
from taggit.models import Tag

from masthead.api.filters import compile_filter
from masthead.api.ids import ghost_id, primary_key
from masthead.api.nql import FilterError
from masthead.newsroom.models import ArticlePage, Author, HomeEditorsPick
from masthead.newsroom.services import site_structure_ensure
from masthead.newsroom.tests.factories import AuthorFactory, front_sections, publish, published_article


class FilterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        cls.war, cls.analysis = front_sections(cls.home)
        cls.olena = AuthorFactory(name="Olena", slug="olena")
        cls.petro = AuthorFactory(name="Petro", slug="petro")
        cls.first = published_article(
            hours_ago=100, title="Bridge opens", slug="bridge", authors=[cls.olena, cls.petro]
        )
        cls.first.tags.add("News", "Energy")
        publish(cls.first, at=timezone.now() - timedelta(hours=100))
        cls.second = published_article(
            hours_ago=2, title="Grid repaired", slug="grid", section=cls.analysis, authors=[cls.petro]
        )
        cls.second.tags.add("Energy")
        publish(cls.second, at=timezone.now() - timedelta(hours=2))
        cls.third = published_article(hours_ago=1, title="The mayor speaks", slug="mayor")
        HomeEditorsPick.objects.create(home=cls.home, article=cls.second, sort_order=0)

    def slugs(self, text: str, resource: str = "posts") -> list[str]:
        query = compile_filter(text, resource)
        if resource == "posts":
            rows = ArticlePage.objects.live().filter(query)
        elif resource == "tags":
            rows = Tag.objects.filter(query)
        else:
            rows = Author.objects.filter(query)
        return sorted(rows.values_list("slug", flat=True))

    def test_ghosts_documented_examples(self):
        self.assertEqual(self.slugs("tag:news"), ["bridge"])
        self.assertEqual(self.slugs("tags:[news,energy]"), ["bridge", "grid"])
        self.assertEqual(self.slugs("tag:-news"), ["grid", "mayor"])  # stories without tags too
        self.assertEqual(self.slugs("author:petro"), ["bridge", "grid"])
        self.assertEqual(self.slugs("primary_author:petro"), ["grid"])
        self.assertEqual(self.slugs("primary_tag:news"), ["bridge"])
        self.assertEqual(self.slugs("featured:true"), ["grid"])
        self.assertEqual(self.slugs("featured:false"), ["bridge", "mayor"])
        self.assertEqual(self.slugs("tag:energy+featured:false"), ["bridge"])
        self.assertEqual(self.slugs("tag:news,author:-petro"), ["bridge", "mayor"])
        self.assertEqual(self.slugs("visibility:public"), ["bridge", "grid", "mayor"])
        self.assertEqual(self.slugs("visibility:paid"), [])

    def test_times(self):
        ghost_time = (timezone.now() - timedelta(hours=10)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        self.assertEqual(self.slugs(f"published_at:>'{ghost_time}'"), ["grid", "mayor"])
        self.assertEqual(self.slugs("published_at:<now-1d"), ["bridge"])
        iso = (timezone.now() - timedelta(hours=1, minutes=30)).isoformat()
        self.assertEqual(self.slugs(f"published_at:>='{iso}'"), ["mayor"])

    def test_ids_slugs_titles(self):
        self.assertEqual(self.slugs(f"id:{ghost_id('page', self.second.pk)}"), ["grid"])
        self.assertEqual(
            self.slugs(f"id:-[{ghost_id('page', self.second.pk)},{ghost_id('tag', 1)}]"), ["bridge", "mayor"]
        )
        self.assertEqual(self.slugs("slug:[grid,mayor]"), ["grid", "mayor"])
        self.assertEqual(self.slugs("title:~'MAYOR'"), ["mayor"])
        self.assertEqual(self.slugs("title:-~^'the'"), ["bridge", "grid"])
        self.assertEqual(self.slugs("section:war"), ["grid"])

    def test_tags_and_authors(self):
        self.assertEqual(self.slugs("slug:[news,energy]", "tags"), ["energy", "news"])
        self.assertEqual(self.slugs("name:~'ene'", "tags"), ["energy"])
        self.assertEqual(self.slugs(f"id:{ghost_id('author', self.olena.pk)}", "authors"), ["olena"])

    def test_unknown_properties_and_bad_values_are_errors(self):
        for text in ("foo:bar", "password:x", "published_at:>'yesterday'", "featured:maybe", "tag:>a", "title:>null"):
            with self.subTest(text), self.assertRaises(FilterError):
                self.slugs(text)


def test_ids_round_trip_and_never_collide():
    assert ghost_id("page", 42) == "5a4d0001000000000000002a"
    assert primary_key("page", "5a4d0001000000000000002a") == 42
    assert primary_key("tag", "5a4d0001000000000000002a") is None
    assert ghost_id("page", 1) != ghost_id("tag", 1) != ghost_id("author", 1)
    for bad in (
        "",
        "123",
        "5A4D0001000000000000002A",
        "g" * 24,
        None,
        42,
        "5a4d0001ffffffffffffffff",
        "5a4d00010000000000000000",
    ):
        assert primary_key("page", bad) is None
