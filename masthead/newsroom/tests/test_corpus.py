"""`masthead corpus` grows the newsroom with synthetic stories that Wagtail, the listings and the pages treat
like any other; and the pages ask the same number of queries whatever the corpus's size."""

import re
from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag
from wagtail.models import Page

from masthead.newsroom import selectors, services
from masthead.newsroom.corpus import build_corpus
from masthead.newsroom.models import ArticleListing, ArticlePage, Author, PublicAddresses, SectionPage
from masthead.newsroom.serving import versioned_cache

PAGES = ("article", "oldest", "home", "section", "deep", "news", "tag", "author", "about")


class CorpusTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.out = StringIO()
        call_command("corpus", "--articles", "120", "--pictures", "2", stdout=cls.out)

    def test_the_newsroom_holds_what_was_asked_with_the_demo_first(self):
        self.assertEqual(ArticlePage.objects.live().count(), 120)
        self.assertEqual(ArticlePage.objects.filter(search_description__startswith="A demo story").count(), 44)
        self.assertIn("The newsroom holds 120 stories (76 added)", self.out.getvalue())
        self.assertIn("[####", self.out.getvalue(), "a progress bar")

    def test_the_page_tree_is_sound(self):
        self.assertEqual([len(problems) for problems in Page.find_problems()], [0, 0, 0, 0, 0])
        for folder in Page.objects.filter(depth=4):
            self.assertEqual(folder.numchild, folder.get_children().count())
        article = ArticlePage.objects.order_by("first_published_at").first()
        self.assertEqual(article.url_path, f"{article.get_parent().url_path}{article.slug}/")
        self.assertEqual(article.get_parent().slug, str(article.first_published_at.year))

    def test_stories_look_like_a_newsroom_s_and_say_they_are_synthetic(self):
        synthetic = ArticlePage.objects.exclude(search_description__startswith="A demo story")
        self.assertEqual(len(set(synthetic.values_list("slug", flat=True))), 76)
        for article in synthetic[:10]:
            words = article.word_count
            self.assertTrue(280 <= words <= 1500, words)
            self.assertIn("synthetic", article.body[0].value.source)
            self.assertTrue(article.authors.exists())
            self.assertTrue(article.tags.exists())
            self.assertIsNotNone(article.featured_image_id)
        self.assertEqual(set(synthetic.values_list("section__depth", flat=True)) - {3, 4}, set())
        share = synthetic.filter(news_feed=True).count() / synthetic.count()
        self.assertTrue(0.15 <= share <= 0.55, share)

    def test_older_than_the_demo_and_newest_first_in_the_listings(self):
        demo_oldest = ArticlePage.objects.filter(search_description__startswith="A demo story").earliest(
            "first_published_at"
        )
        synthetic = ArticlePage.objects.exclude(search_description__startswith="A demo story")
        self.assertLess(synthetic.latest("first_published_at").first_published_at, demo_oldest.first_published_at)
        listed = list(ArticleListing.objects.filter(kind=ArticleListing.Kind.ALL).order_by("-published_at"))
        self.assertEqual(len(listed), 120)
        self.assertEqual(
            [entry.article_id for entry in listed],
            list(ArticlePage.objects.order_by("-first_published_at", "-pk").values_list("pk", flat=True)),
        )

    def test_listings_match_a_rebuild(self):
        kept = set(ArticleListing.objects.values_list("kind", "key", "article_id", "published_at"))
        services.article_listings_update()
        self.assertEqual(set(ArticleListing.objects.values_list("kind", "key", "article_id", "published_at")), kept)

    def test_each_story_remembers_where_it_shows_as_publishing_would(self):
        synthetic = ArticlePage.objects.exclude(search_description__startswith="A demo story").order_by("?")[:15]
        for article in synthetic:
            stored = PublicAddresses.objects.get(page_id=article.pk).paths
            self.assertEqual(stored, sorted(selectors.page_addresses(page=article)))

    def test_synthetic_stories_answer_and_can_be_edited(self):
        article = ArticlePage.objects.order_by("first_published_at").first()
        page = self.client.get(article.url)
        self.assertContains(page, article.title)
        self.assertContains(page, "synthetic")
        from django.contrib.auth import get_user_model

        editor = get_user_model().objects.create_superuser("corpus-editor", "editor@example.org", "x" * 20)
        self.client.force_login(editor)
        self.assertEqual(self.client.get(f"/admin/pages/{article.pk}/edit/").status_code, 200)

    def test_growing_again_adds_only_what_is_missing(self):
        self.assertEqual(build_corpus(articles=100, pictures=2), 0)
        self.assertEqual(build_corpus(articles=130, pictures=2), 10)
        self.assertEqual(ArticlePage.objects.live().count(), 130)
        self.assertEqual(len(set(ArticlePage.objects.values_list("slug", flat=True))), 130)

    def test_pages_ask_the_same_queries_at_120_and_at_360_stories(self):
        paths = page_paths()
        small = page_queries(self.client, paths)
        build_corpus(articles=360, pictures=2)
        self.assertNotEqual(page_paths()["deep"], paths["deep"])
        self.assertEqual(page_queries(self.client, {**paths, "deep": page_paths()["deep"]}), small)
        self.assertEqual(set(small), set(PAGES))

    def test_no_query_reads_a_growing_table_whole_or_sorts_it_for_a_page(self):
        problems = {}
        for name, path in page_paths().items():
            services.pages_changed()
            versioned_cache.clear()
            with CaptureQueriesContext(connection) as queries:
                self.client.get(path)
            for query in queries.captured_queries:
                sql = query["sql"]
                if sql.startswith("SELECT") and (found := plan_problems(sql, None)):
                    problems.setdefault(name, []).append((sql[sql.find(" FROM ") :][:400], found))
        self.assertEqual(
            problems, {}, "\n".join(f"{n}: {q}\n   {f}" for n, items in problems.items() for q, f in items)
        )

    def test_the_plan_check_catches_a_listing_sorted_across_tables(self):
        # The tag page's query before models/listings.py: filtered by the tag links, sorted by the page rows.
        old = ArticlePage.objects.live().filter(tags__slug="demo").order_by("-first_published_at")[20:40]
        sql, params = old.values_list("pk", flat=True).query.sql_with_params()
        self.assertNotEqual(plan_problems(sql, params), [])
        new = selectors.listing(ArticleListing.Kind.TAG, Tag.objects.get(slug="demo").pk)[20:40]
        self.assertEqual(plan_problems(*new.query.sql_with_params()), [])

    def test_deep_pages_start_from_kept_anchors_and_match_a_plain_offset(self):
        # Stories published in the same second sort by id: an anchor between them must not lose or repeat one.
        same = ArticleListing.objects.filter(kind=ArticleListing.Kind.ALL).order_by("-published_at")[30:40]
        ArticleListing.objects.filter(article_id__in=[entry.article_id for entry in same]).update(
            published_at=same[0].published_at
        )
        with mock.patch.object(selectors, "ANCHOR_EVERY", 7):
            for kind, key in ((ArticleListing.Kind.ALL, 0), (ArticleListing.Kind.SECTION, self.war().pk)):
                plain = list(selectors.listing(kind, key))
                for start in range(0, len(plain) + 10, 3):
                    found = selectors.listing_slice(kind, key, version=1, start=start, stop=start + 5)
                    self.assertEqual(found, plain[start : start + 5], (kind, start))
                anchors = selectors.listing_anchors(kind, key, version=1, blocks=10_000)
                self.assertEqual(len(anchors), len(plain) // 7, "one a block, none past the end")

    def test_a_deep_page_reads_only_its_block(self):
        with mock.patch.object(selectors, "ANCHOR_EVERY", 7):
            selectors.listing_anchors(ArticleListing.Kind.ALL, 0, version=2, blocks=50)
            with CaptureQueriesContext(connection) as queries:
                ids = selectors.listing_slice(ArticleListing.Kind.ALL, 0, version=2, start=100, stop=110)
        self.assertEqual(len(ids), 10)
        self.assertEqual(len(queries), 1)
        self.assertIn("OFFSET 2", queries[0]["sql"], "100 = 14 blocks of 7, then 2")
        self.assertEqual(plan_problems(queries[0]["sql"], None), [])

    @staticmethod
    def war() -> SectionPage:
        return SectionPage.objects.get(slug="war")

    def test_refuses_nonsense(self):
        for value in ("0", "-5", "99999999999"):
            with self.assertRaises(CommandError):
                call_command("corpus", "--articles", value, stdout=StringIO())
        with self.assertRaises(CommandError):
            call_command("corpus", "--articles", "10", "--pictures", "0", stdout=StringIO())
        self.assertEqual(ArticlePage.objects.count(), 120, "nothing changed")


def page_paths() -> dict[str, str]:
    """One page of each kind; "deep" is the War section's last page, which moves on as the corpus grows."""
    section = SectionPage.objects.get(slug="war")
    deep = max(1, ArticleListing.objects.filter(kind=ArticleListing.Kind.SECTION, key=section.pk).count() // 20)
    return {
        "article": ArticlePage.objects.latest("first_published_at").url,
        "oldest": ArticlePage.objects.earliest("first_published_at").url,
        "home": "/",
        "section": "/war/",
        "deep": f"/war/?page={deep}",
        "news": "/news/",
        "tag": f"/tag/{Tag.objects.get(name='Demo').slug}/",
        "author": f"/author/{Author.objects.earliest('pk').slug}/",
        "about": "/about/",
    }


def page_queries(client, paths: dict[str, str]) -> dict[str, int]:
    """How many queries each page asks for on a cold render (every kept piece made again)."""
    counts = {}
    for name, path in paths.items():
        services.pages_changed()
        versioned_cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(queries)
    return counts


# Tables that grow with the number of stories. A query may look rows up in them by an index, never read one whole
# (a scan); and a page of a listing (ORDER BY one of their columns, LIMIT more than one row or an OFFSET) must come
# in order from an index, never from sorting every row the filter found (the tag page's old 1.4 to 49 ms).
GROWING = {
    "wagtailcore_page",
    "newsroom_articlepage",
    "newsroom_articlelisting",
    "newsroom_articletag",
    "newsroom_articleauthor",
    "newsroom_correction",
    "newsroom_publicaddresses",
    "taggit_tag",
    "wagtailcore_revision",
    "wagtailcore_referenceindex",
}


def plan_problems(sql: str, params) -> list[str]:
    """What is wrong with one query's plan (EXPLAIN on this database), as readable lines; none if it is fine."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test tables are tiny, where reading one whole is cheapest; with that priced out, a plan that still
            # scans a table or sorts a page has no index to use instead. (Priced out, PostgreSQL walks a whole
            # primary key index in place of a tiny table's scan: at scale, the same queries look rows up by it.)
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            nodes = list(_plan_nodes(cursor.fetchone()[0][0]["Plan"]))
            scans = [
                f"Seq Scan on {node['Relation Name']}"
                for node in nodes
                if node["Node Type"] == "Seq Scan" and node["Relation Name"] in GROWING
            ]
            sorts = [node["Node Type"] for node in nodes if node["Node Type"] in ("Sort", "Incremental Sort")]
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = [row[-1] for row in cursor.fetchall()]
            scans = [line for line in plan if line.startswith("SCAN ") and line.split()[1] in GROWING]
            sorts = [line for line in plan if "TEMP B-TREE FOR ORDER BY" in line]
    return scans + (sorts if _pages_a_growing_table(sql) else [])


def _plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


def _pages_a_growing_table(sql: str) -> bool:
    order = re.search(r' ORDER BY "(\w+)"\.', sql)
    limit = re.search(r" LIMIT (\d+)", sql)
    return bool(order and order[1] in GROWING and limit and (int(limit[1]) > 1 or " OFFSET " in sql))
