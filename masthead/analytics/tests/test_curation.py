"""Most popular (its order, ties, periods, what it leaves out), related stories, More news and Editors' Picks
with their times, on the home page and beside articles, with nothing shown twice."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from masthead.analytics.models import AnalyticsSettings, HourlyCount, Target
from masthead.analytics.selectors import popular_read
from masthead.newsroom import selectors
from masthead.newsroom.models import HomeEditorsPick
from masthead.newsroom.tests.factories import SectionPageFactory, published_article


def views(article, count, *, hours_ago=1):
    hour = (timezone.now() - timedelta(hours=hours_ago)).replace(minute=0, second=0, microsecond=0)
    HourlyCount.objects.create(target=Target.PAGE, object_id=article.pk, hour=hour, count=count)


def section_of(response, slug) -> str:
    """The rail's HTML ("" when the page has no such rail)."""
    page = response.content.decode()
    start = page.find(f'id="rail-{slug}"')
    return page[start : page.index("</section>", start)] if start >= 0 else ""


def at_refresh(number: int):
    """Requests made in the `number`-th period of MASTHEAD_POPULAR_SECONDS from now (0: this one, where the first
    request works the list out; 1: the next, when it is worked out again)."""
    from django.conf import settings

    seconds = settings.MASTHEAD_POPULAR_SECONDS
    start = (time.time() // seconds + number) * seconds + 1  # just after a period starts: never across a boundary
    return mock.patch("masthead.analytics.selectors.time.time", return_value=start)


def test_most_popular_orders_by_views_then_newer_first(home):
    old = published_article(title="Old", hours_ago=30)
    new = published_article(title="New", hours_ago=2)
    top = published_article(title="Top", hours_ago=50)
    other = published_article(title="Other", hours_ago=5)
    views(top, 9)
    views(old, 4, hours_ago=3)
    views(old, 1, hours_ago=2)  # 5 in all, in two hours
    views(new, 5)
    views(other, 1)
    assert popular_read(window="24h", limit=10) == [top.pk, new.pk, old.pk, other.pk]
    assert popular_read(window="24h", limit=2) == [top.pk, new.pk]


def test_the_period_decides_what_counts(home):
    steady = published_article(title="Steady")
    burst = published_article(title="Burst")
    views(steady, 3, hours_ago=2)
    views(burst, 10, hours_ago=48)  # two days ago: in the week, not in the day
    assert popular_read(window="24h", limit=5) == [steady.pk]
    assert popular_read(window="7d", limit=5) == [burst.pk, steady.pk]
    views(burst, 10, hours_ago=24 * 8)  # more than a week ago counts in neither
    assert popular_read(window="7d", limit=5) == [burst.pk, steady.pk]


def test_unpublished_stories_and_other_pages_are_never_popular(home):
    gone = published_article(title="Withdrawn")
    kept = published_article(title="Kept")
    views(gone, 50)
    views(kept, 1)
    HourlyCount.objects.create(target=Target.PAGE, object_id=home.pk, hour=timezone.now(), count=999)
    HourlyCount.objects.create(target=Target.PLAY, object_id=kept.pk, hour=timezone.now(), count=999)
    gone.unpublish()
    assert popular_read(window="24h", limit=5) == [kept.pk]


def test_the_home_page_shows_most_popular_or_says_latest_before_anything_is_counted(client, home):
    stories = [published_article(title=f"Story {n}", hours_ago=n + 1) for n in range(12)]
    with at_refresh(1):
        assert "Latest" in section_of(client.get("/"), "most-popular")
        views(stories[-1], 7)  # the oldest, not among the top stories
        views(stories[-2], 3)
        assert "Latest" in section_of(client.get("/"), "most-popular"), "kept until the next refresh"
    with at_refresh(2):
        response = client.get("/")
    rail = section_of(response, "most-popular")
    assert "Most popular" in rail
    assert rail.index("Story 11") < rail.index("Story 10") and "Story 9" not in rail


def test_the_front_page_leaves_out_its_top_stories_from_most_popular(client, home):
    stories = [published_article(title=f"Story {n}", hours_ago=n + 1) for n in range(8)]
    views(stories[0], 50)  # the newest: the lead story
    views(stories[7], 2)
    rail = section_of(client.get("/"), "most-popular")
    assert "Story 7" in rail and "Story 0" not in rail


def test_each_slot_has_its_own_period(client, home):
    story = published_article(title="Weekly hit", hours_ago=100)
    for n in range(5):  # newer: More news beside the reader's story shows them, not the hit
        published_article(title=f"Filler {n}", hours_ago=n + 2)
    published_article(title="Reader", slug="reader", hours_ago=1)
    views(story, 8, hours_ago=72)
    settings_row = AnalyticsSettings.for_site(home.get_site())
    settings_row.home_popular_window, settings_row.article_popular_window = "24h", "7d"
    settings_row.save()
    assert ">Latest<" in section_of(client.get("/"), "most-popular"), "no view in the front page's 24 hours"
    reader = client.get("/reader/")
    assert "Most popular" in section_of(reader, "most-popular")
    assert "Weekly hit" in section_of(reader, "most-popular")


def test_related_stories_share_tags_and_section_and_never_repeat_the_story(home):
    war = SectionPageFactory(parent=home, title="War", slug="war")
    story = published_article(title="Front line", section=war)
    story.tags.add("Kharkiv", "Energy")
    story.save_revision().publish()
    both = published_article(title="Both tags", hours_ago=400)
    both.tags.add("Kharkiv", "Energy")
    both.save_revision().publish()
    one = published_article(title="One tag", hours_ago=2)
    one.tags.add("Energy")
    one.save_revision().publish()
    same_section = published_article(title="Same section", section=war, hours_ago=3)
    unrelated = published_article(title="Unrelated", hours_ago=1)
    ids = selectors.related_ids(article=story)
    assert story.pk not in ids and unrelated.pk not in ids
    assert ids == [both.pk, one.pk, same_section.pk]


def test_the_article_page_shows_nothing_twice(client, home):
    war = SectionPageFactory(parent=home, title="War", slug="war")
    story = published_article(title="The story", slug="the-story", section=war)
    story.tags.add("Kharkiv")
    story.save_revision().publish()
    others = []
    for n in range(14):
        other = published_article(title=f"Other {n}", section=war, hours_ago=n + 2)
        other.tags.add("Kharkiv")
        other.save_revision().publish()
        views(other, 20 - n)
        others.append(other)
    HomeEditorsPick.objects.create(home=home, article=others[0], sort_order=0)
    HomeEditorsPick.objects.create(home=home, article=others[1], sort_order=1)
    home.save_revision().publish()
    context = client.get("/the-story/").context
    lists = [context["editors_picks"], context["related"], context["more_stories"], context["most_popular"]]
    shown = [pk for ids in lists for pk in ids]
    assert story.pk not in shown and len(shown) == len(set(shown)), lists
    assert context["editors_picks"] == [others[0].pk, others[1].pk]
    assert len(context["related"]) == 4 and context["more_stories"] and context["most_popular"]


def test_editors_picks_show_between_their_times(client, home):
    now = timezone.now()
    always = published_article(title="Always picked")
    later = published_article(title="Picked from tomorrow")
    ended = published_article(title="Pick that ended")
    HomeEditorsPick.objects.create(home=home, article=always, sort_order=0)
    HomeEditorsPick.objects.create(home=home, article=later, sort_order=1, starts_at=now + timedelta(days=1))
    HomeEditorsPick.objects.create(home=home, article=ended, sort_order=2, ends_at=now - timedelta(minutes=1))
    home.save_revision().publish()
    rail = section_of(client.get("/"), "editors-picks")
    assert "Always picked" in rail and "Picked from tomorrow" not in rail and "Pick that ended" not in rail
    schedule = selectors.editors_pick_schedule(home_id=home.pk)
    tomorrow = (now + timedelta(days=1, minutes=1)).timestamp()
    assert selectors.editors_pick_ids(schedule, now=tomorrow) == [always.pk, later.pk]


def test_a_pick_must_end_after_it_starts(home):
    from django.core.exceptions import ValidationError

    now = timezone.now()
    pick = HomeEditorsPick(home=home, article=published_article(), starts_at=now, ends_at=now - timedelta(hours=1))
    with pytest.raises(ValidationError, match="after the start"):
        pick.clean()
