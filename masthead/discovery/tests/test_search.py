"""The search page: what it finds (English and Ukrainian), its filters, snippets and pages, and hostile queries
(every one answers with a page, never an error)."""

from datetime import timedelta
from io import StringIO
from unittest import mock

from bs4 import BeautifulSoup
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from masthead.discovery import search
from masthead.discovery.models import StoryIndex
from masthead.discovery.search import snippet, terms
from masthead.newsroom.services import site_structure_ensure
from masthead.newsroom.tests.factories import (
    AuthorFactory,
    SectionPageFactory,
    front_sections,
    paragraphs,
    publish,
    published_article,
)

HOSTILE_QUERIES = [
    '"unclosed',
    "'unclosed",
    "(((",
    ")",
    "AND",
    "OR OR NOT",
    "NEAR(a b)",
    "title:x",
    "col : value",
    "a*",
    "*",
    "^start",
    "-minus",
    "+plus",
    "!!!???...",
    "---",
    "''",
    '""',
    "%",
    "_",
    "\\",
    "' OR 1=1 --",
    "'; DROP TABLE wagtailcore_page; --",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "a" * 10_000,
    "слово " * 2000,
    "Зелений Гай",
    "日本語のテキスト",
    "مرحبا بالعالم",
    "🙂🙃",
    "\u202egnirts\u202c",
    "zero\u200bwidth",
    "tab\tnew\nline",
    "%00",
    "null\x00byte",
    "{title body} : x",
    "a AND (b OR",
]


class SearchPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        cls.war, cls.analysis = front_sections(cls.home)
        cls.national = SectionPageFactory(parent=cls.home, title="National", slug="national")
        cls.writer = AuthorFactory(name="Tetiana Writer", slug="tetiana-writer")
        cls.other = AuthorFactory(name="Bohdan Other", slug="bohdan-other")
        cls.refinery = cls.story(
            "Refinery halts after drone strike",
            "The Ryazan refinery stopped processing crude on Friday.",
            "Firefighters worked through the night at the refinery. Workers were sent home.",
            hours=2,
            section=cls.analysis,
            authors=[cls.writer],
        )
        cls.schools = cls.story(
            "Schools reopen in Kharkiv",
            "Classes moved underground return to the buildings.",
            "Teachers said the refinery of ideas never stopped.",
            hours=30,
            section=cls.national,
            authors=[cls.other],
        )
        cls.ukrainian = cls.story(
            "Зелений Гай отримав нову школу",
            "Громада зібрала кошти на відновлення.",
            "Діти повернулися до класів у вересні.",
            hours=50,
            section=cls.national,
            authors=[cls.other],
            news_feed=True,
        )

    @classmethod
    def story(cls, title, standfirst, text, *, hours, **kwargs):
        article = published_article(
            hours_ago=hours, title=title, standfirst=standfirst, body=paragraphs(text), **kwargs
        )
        return publish(article, at=timezone.now() - timedelta(hours=hours))

    def results(self, **params) -> tuple[list[str], BeautifulSoup]:
        response = self.client.get("/search/", params)
        self.assertEqual(response.status_code, 200)
        soup = BeautifulSoup(response.content, "html.parser")
        titles = [h.get_text(strip=True) for h in soup.select(".search__results .card__headline")]
        return titles, soup

    def test_the_empty_page_is_a_form(self):
        titles, soup = self.results()
        self.assertEqual(titles, [])
        self.assertIsNotNone(soup.select_one('form[role="search"] input[name="q"]'))
        self.assertEqual(soup.select_one('meta[name="robots"]')["content"], "noindex, follow")

    def test_finds_by_headline_standfirst_and_body(self):
        self.assertEqual(self.results(q="drone")[0], ["Refinery halts after drone strike"])
        self.assertEqual(self.results(q="Ryazan")[0], ["Refinery halts after drone strike"])
        self.assertEqual(self.results(q="firefighters")[0], ["Refinery halts after drone strike"])
        self.assertEqual(
            sorted(self.results(q="refinery")[0]), ["Refinery halts after drone strike", "Schools reopen in Kharkiv"]
        )

    def test_the_headline_outranks_a_passing_mention(self):
        self.assertEqual(self.results(q="refinery")[0][0], "Refinery halts after drone strike")

    def test_ukrainian_text_is_searchable(self):
        self.assertEqual(self.results(q="школу")[0], ["Зелений Гай отримав нову школу"])
        self.assertEqual(self.results(q="Зелений Гай")[0], ["Зелений Гай отримав нову школу"])
        self.assertEqual(self.results(q="кошти")[0], ["Зелений Гай отримав нову школу"])

    def test_every_word_must_match(self):
        self.assertEqual(self.results(q="refinery drone")[0], ["Refinery halts after drone strike"])
        self.assertEqual(self.results(q="refinery школу")[0], [])

    def test_snippets_mark_the_words_found(self):
        _, soup = self.results(q="firefighters")
        snippet_html = soup.select_one(".search__snippet")
        self.assertEqual([m.get_text() for m in snippet_html.select("mark")], ["Firefighters"])

    def test_filters(self):
        self.assertEqual(self.results(q="refinery", section="war")[0], ["Refinery halts after drone strike"])
        self.assertEqual(self.results(q="refinery", section="national")[0], ["Schools reopen in Kharkiv"])
        self.assertEqual(self.results(q="refinery", author="bohdan-other")[0], ["Schools reopen in Kharkiv"])
        self.assertEqual(self.results(kind="news")[0], ["Зелений Гай отримав нову школу"])
        self.assertEqual(len(self.results(kind="story")[0]), 2)
        today = timezone.localdate()
        since = (today - timedelta(days=1)).isoformat()
        self.assertNotIn("Зелений Гай отримав нову школу", self.results(since=since)[0])
        until = (timezone.localtime() - timedelta(hours=49)).date().isoformat()
        self.assertEqual(self.results(until=until)[0], ["Зелений Гай отримав нову школу"])

    def test_filters_alone_list_newest_first(self):
        self.assertEqual(
            self.results(section="national")[0], ["Schools reopen in Kharkiv", "Зелений Гай отримав нову школу"]
        )

    def test_bad_filter_values_are_shown_and_ignored(self):
        titles, soup = self.results(q="refinery", since="not-a-date", section="nowhere", kind="<b>")
        self.assertEqual(len(titles), 2)
        self.assertTrue(soup.select(".form__error"))
        titles, soup = self.results(since="2025-05-01", until="2025-01-01")
        self.assertIn("The end date comes before the start date.", soup.get_text())

    def test_pages(self):
        with self.settings():
            original = search.PER_PAGE
            search.PER_PAGE = 1
            try:
                first, soup = self.results(q="refinery")
                self.assertEqual(len(first), 1)
                link = soup.select_one('a[rel="next"]')["href"]
                self.assertIn("q=refinery", link)
                second, soup = self.results(q="refinery", page=2)
                self.assertEqual(len(second), 1)
                self.assertNotEqual(first, second)
                self.assertEqual(self.results(q="refinery", page=9999)[0], [])
            finally:
                search.PER_PAGE = original

    def test_hostile_queries_answer_with_a_page(self):
        for query in HOSTILE_QUERIES:
            with self.subTest(query=query[:40]):
                response = self.client.get("/search/", {"q": query, "page": "2"})
                self.assertEqual(response.status_code, 400 if "\x00" in query else 200)
                self.assertNotIn(b"<script>alert(1)", response.content)
                self.assertNotIn(b"<img src=x", response.content)
        for params in ({"page": "-1"}, {"page": "99999999999999999999"}, {"page": "abc"}, {"section": "x" * 5000}):
            with self.subTest(params=str(params)[:40]):
                self.assertEqual(self.client.get("/search/", {"q": "refinery", **params}).status_code, 200)


class SnippetTests(TestCase):
    def test_words_around_the_first_match_are_kept_and_marked(self):
        text = (
            " ".join(f"w{n}" for n in range(100)) + " Refinery fire <b>now</b> " + " ".join(f"x{n}" for n in range(100))
        )
        html = str(snippet(text, terms("refinery")))
        self.assertIn("<mark>Refinery</mark>", html)
        self.assertTrue(html.startswith("… "))
        self.assertIn("&lt;b&gt;now&lt;/b&gt;", html)

    def test_a_word_begun_matches(self):
        self.assertIn("<mark>refineries</mark>", str(snippet("Two refineries burn", terms("refiner"))))

    def test_no_match_gives_the_opening(self):
        self.assertEqual(str(snippet("One two three", ["zzz"])), "One two three")

    def test_terms_drop_operators_and_punctuation(self):
        self.assertEqual(terms('"Refinery" AND (drone OR -strike)'), ["refinery", "drone", "strike"])
        self.assertEqual(terms("!!! ..."), [])


class SearchIndexTests(TestCase):
    """The index follows what is live, and `masthead search_index` rebuilds it."""

    @classmethod
    def setUpTestData(cls):
        cls.home = site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        cls.war, _ = front_sections(cls.home)

    def found(self, text: str) -> list[int]:
        return search.stories_search(criteria=search.criteria(text=text), number=1).ids

    def test_publishing_indexes_and_unpublishing_or_deleting_removes(self):
        from masthead.newsroom.tests.factories import ArticlePageFactory

        draft = ArticlePageFactory(live=False, title="Harbour crane repaired", section=self.war)
        self.assertEqual(self.found("crane"), [])  # a draft is not searched
        publish(draft)
        self.assertEqual(self.found("crane"), [draft.pk])
        draft.title = "Harbour gantry repaired"
        publish(draft)
        self.assertEqual(self.found("crane"), [])
        self.assertEqual(self.found("gantry"), [draft.pk])
        draft.unpublish()
        self.assertEqual(self.found("gantry"), [])
        publish(draft)
        draft.delete()
        self.assertEqual(self.found("gantry"), [])
        self.assertFalse(StoryIndex.objects.exists())

    def test_the_command_rebuilds_the_index(self):
        story = published_article(title="Tramline extended", section=self.war)
        StoryIndex.objects.all().delete()
        self.assertEqual(self.found("tramline"), [])
        out = StringIO()
        call_command("search_index", "--if-incomplete", stdout=out)
        self.assertIn("Indexed 1 stories", out.getvalue())
        self.assertIn("[####", out.getvalue())
        self.assertEqual(self.found("tramline"), [story.pk])
        out = StringIO()
        call_command("search_index", "--if-incomplete", stdout=out)
        self.assertIn("holds every live story", out.getvalue())

    def test_newer_of_two_equal_matches_ranks_first_and_the_count_stops_at_the_candidates(self):
        older = published_article(hours_ago=24 * 60, title="Bridge works resume")
        newer = published_article(hours_ago=1, title="Bridge works resume")
        self.assertEqual(self.found("bridge works"), [newer.pk, older.pk])
        with mock.patch.object(search, "CANDIDATES", 1):
            results = search.stories_search(criteria=search.criteria(text="bridge"), number=1)
            self.assertEqual((results.total, results.capped, results.ids), (2, True, [newer.pk]))
