"""The pages around the articles: home, sections, News Feed, tags, authors, team, jobs, standard pages, opinions."""

from bs4 import BeautifulSoup
from django.test import TestCase
from django.utils import timezone
from taggit.models import Tag

from masthead.newsroom.models import (
    HomeEditorsPick,
    HomeSectionBlock,
    HomeTopStory,
    JobIndexPage,
    JobPostingPage,
    TeamPage,
)
from masthead.newsroom.services import site_structure_ensure
from masthead.newsroom.tests.factories import (
    AuthorFactory,
    ImageFactory,
    SectionPageFactory,
    StandardPageFactory,
    front_sections,
    published_article,
)


def soup_of(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def headlines(soup, selector=".card__headline a"):
    return [a.get_text() for a in soup.select(selector)]


class SitePagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        cls.war, cls.analysis = front_sections(cls.home)
        cls.national = SectionPageFactory(parent=cls.home, title="National", slug="national")
        cls.reporter = AuthorFactory(name="Rita Reporter", slug="rita", role="Reporter", team_order=2)
        cls.chief = AuthorFactory(name="Ed Chief", slug="ed-chief", role="Editor-in-Chief", team_order=1)
        cls.guest = AuthorFactory(name="Guest Writer", slug="guest", role="", is_staff_member=False)
        image = ImageFactory()
        cls.articles = []
        for n in range(25):
            section = [cls.war, cls.analysis, cls.national][n % 3]
            cls.articles.append(
                published_article(
                    title=f"Story {n:02d}",
                    slug=f"story-{n:02d}",
                    section=section,
                    news_feed=n % 2 == 0,
                    featured_image=image,
                    authors=[cls.reporter if n % 4 else cls.chief],
                    hours_ago=100 - n,
                )
            )
        cls.articles[3].tags.add("Prisoners of war")
        cls.articles[3].save_revision().publish()

    def test_home_falls_back_to_latest_when_editors_choose_nothing(self):
        soup = soup_of(self.client.get("/"))
        top = soup.find("section", attrs={"aria-label": "Top stories"})
        self.assertEqual(headlines(top)[0], "Story 24")
        self.assertEqual(headlines(top)[:5], ["Story 24", "Story 23", "Story 22", "Story 21", "Story 20"])
        feed = [a.get_text() for a in soup.select(".feed a")]
        self.assertEqual(feed[:3], ["Story 24", "Story 22", "Story 20"])
        popular = soup.find(id="rail-most-popular").find_parent("section")
        self.assertEqual(
            headlines(popular, "ol.ranked > li > a"), ["Story 19", "Story 18", "Story 17", "Story 16", "Story 15"]
        )

    def test_most_popular_rail_is_a_compact_numbered_list_labelled_honestly(self):
        soup = soup_of(self.client.get("/"))
        rail = soup.find(id="rail-most-popular").find_parent("section")
        # No page views are counted yet, so the rail does not claim to be "Most popular".
        self.assertEqual(rail.find("h2").get_text(), "Latest")
        self.assertNotIn("Most popular", soup.get_text())
        items = rail.select("ol.ranked > li")
        self.assertEqual(len(items), 5)
        self.assertEqual([len(item.find_all("a")) for item in items], [1] * 5)  # a headline link, nothing more
        self.assertFalse(rail.select(".card, img, .card__standfirst, .card__meta, time"))

    def test_home_shows_editors_choices(self):
        self.home.lead_story = self.articles[5]
        self.home.save()
        HomeTopStory.objects.create(home=self.home, article=self.articles[7], sort_order=0)
        HomeEditorsPick.objects.create(home=self.home, article=self.articles[1], sort_order=1)
        HomeEditorsPick.objects.create(home=self.home, article=self.articles[2], sort_order=0)
        HomeSectionBlock.objects.create(home=self.home, section=self.national, sort_order=0)
        soup = soup_of(self.client.get("/"))
        top = soup.find("section", attrs={"aria-label": "Top stories"})
        self.assertEqual(headlines(top)[:3], ["Story 05", "Story 07", "Story 24"])
        picks = soup.find(id="rail-editors-picks").find_parent("section")
        self.assertEqual(headlines(picks), ["Story 02", "Story 01"])
        block = soup.find(id="rail-national").find_parent("section")
        self.assertEqual(headlines(block), ["Story 23", "Story 20", "Story 17", "Story 14"])

    def test_home_skips_unpublished_choices(self):
        self.home.lead_story = self.articles[5]
        self.home.save()
        self.articles[5].unpublish()
        soup = soup_of(self.client.get("/"))
        self.assertNotIn("Story 05", soup.get_text())

    def test_section_lists_its_articles_and_subsections_newest_first_paginated(self):
        soup = soup_of(self.client.get("/war/"))
        self.assertEqual(soup.find("h1").get_text(), "War")
        listed = headlines(soup)
        self.assertEqual(len(listed), 17)  # War and Analysis: 9 + 8, under the 20 a page
        self.assertEqual(listed[:3], ["Story 24", "Story 22", "Story 21"])
        self.assertEqual([a.get_text() for a in soup.select(".chips a")], ["Analysis"])
        self.assertEqual(self.analysis.url, "/analysis/")
        self.assertEqual(headlines(soup_of(self.client.get("/analysis/")))[0], "Story 22")

    def test_news_feed_page_and_load_more(self):
        soup = soup_of(self.client.get("/news/"))
        items = [a.get_text() for a in soup.select("[data-feed] a")]
        self.assertEqual(len(items), 13)
        self.assertEqual(items[0], "Story 24")
        self.assertIsNone(soup.select_one("[data-load-more]"))

    def test_news_feed_fragment_for_load_more(self):
        for n in range(10):
            published_article(title=f"Flash {n}", slug=f"flash-{n}", news_feed=True, hours_ago=200 + n)
        soup = soup_of(self.client.get("/news/"))
        self.assertEqual(soup.select_one("[data-load-more]")["href"], "?page=2")
        response = self.client.get("/news/?page=2&fragment=items")
        self.assertEqual(response["X-Has-More"], "0")
        fragment = BeautifulSoup(response.content, "html.parser")
        self.assertEqual(len(fragment.select("li")), 3)
        self.assertNotIn("<html", response.content.decode())

    def test_tag_page(self):
        soup = soup_of(self.client.get("/tag/prisoners-of-war/"))
        self.assertEqual(soup.find("h1").get_text(), "Prisoners of war")
        self.assertEqual(headlines(soup), ["Story 03"])

    def test_tag_without_published_stories(self):
        Tag.objects.create(name="Empty", slug="empty")
        self.assertIn("No stories here yet", soup_of(self.client.get("/tag/empty/")).get_text())

    def test_author_page_lists_their_articles(self):
        soup = soup_of(self.client.get("/author/ed-chief/"))
        self.assertEqual(soup.find("h1").get_text(), "Ed Chief")
        self.assertEqual(
            headlines(soup), ["Story 24", "Story 20", "Story 16", "Story 12", "Story 08", "Story 04", "Story 00"]
        )

    def test_tag_and_author_pages_answer_only_get_and_head(self):
        for url in ["/tag/prisoners-of-war/", "/author/ed-chief/"]:
            self.assertEqual(self.client.head(url).status_code, 200, url)
            for method in ["post", "put", "patch", "delete", "trace"]:
                with self.subTest(url=url, method=method):
                    response = getattr(self.client, method)(url)
                    self.assertEqual(response.status_code, 405)
                    self.assertEqual(response["Allow"], "GET, HEAD")
                    self.assertNotIn(b"Story", response.content)

    def test_team_page_lists_staff_by_role(self):
        self.home.add_child(instance=TeamPage(title="Team", slug="team"))
        soup = soup_of(self.client.get("/team/"))
        roles = [h2.get_text() for h2 in soup.select(".team h2")]
        self.assertEqual(roles, ["Editor-in-Chief", "Reporter"])
        self.assertNotIn("Guest Writer", soup.get_text())
        self.assertEqual(soup.select_one(".team a")["href"], "/author/ed-chief/")

    def test_standard_page(self):
        StandardPageFactory(parent=self.home, title="About", slug="about", body="<p>Who we are.</p>")
        soup = soup_of(self.client.get("/about/"))
        self.assertEqual(soup.find("h1").get_text(), "About")
        self.assertIn("Who we are.", soup.get_text())

    def test_jobs(self):
        jobs = self.home.add_child(instance=JobIndexPage(title="Jobs", slug="jobs"))
        jobs.add_child(
            instance=JobPostingPage(
                title="Night editor",
                location="Kyiv",
                summary="Edit at night.",
                closes_on=timezone.localdate(),
                apply_email="jobs@example.org",
            )
        )
        soup = soup_of(self.client.get("/jobs/"))
        self.assertEqual(soup.select_one(".jobs h2 a").get_text(), "Night editor")
        posting = soup_of(self.client.get("/jobs/night-editor/"))
        self.assertIn("mailto:jobs@example.org", str(posting))
