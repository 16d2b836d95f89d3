"""The editors' dashboard against known figures: views per day and per hour, top stories, sources and referrers,
newsletter sign-ups per day and newsletter, narration plays and comments, each for the period asked; the CSV
of the same figures; hostile periods; who may see it."""

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from masthead.analytics.ingest import tally
from masthead.analytics.models import DailyCount, Source, SourceCount, Target, TotalCount
from masthead.comments.tests.factories import comment, member
from masthead.newsletters.tests.factories import NewsletterFactory, SubscriptionFactory
from masthead.newsroom.tests.factories import published_article

DAY = date(2026, 3, 10)  # a Tuesday; Kyiv is UTC+2 then
NOON = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # 12:00 in Kyiv


def kyiv(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def newsroom(home):
    """Three stories with known views over three days, sources, sign-ups, plays and comments."""
    a = published_article(title="Alpha story")
    b = published_article(title='=HYPERLINK("http://evil.example")')  # a title a spreadsheet would run
    c = published_article(title="Gamma story")
    views = {  # day offset → {article: views}
        -1: {a: 5, b: 1},
        0: {a: 10, b: 20, c: 3},
        1: {c: 40},
    }
    for offset, per_article in views.items():
        day = DAY + timedelta(days=offset)
        for article, n in per_article.items():
            DailyCount.objects.create(target=Target.PAGE, object_id=article.pk, day=day, count=n)
        # The day's total in two hours: 09:00 and 23:00 Kyiv time (23:00 is 21:00 UTC, still the same day).
        total = sum(per_article.values())
        TotalCount.objects.create(target=Target.PAGE, hour=kyiv(day, 9), count=total - 1)
        TotalCount.objects.create(target=Target.PAGE, hour=kyiv(day, 23), count=1)
    DailyCount.objects.create(target=Target.PAGE, object_id=home.pk, day=DAY, count=99)  # not a story
    TotalCount.objects.create(target=Target.PLAY, hour=kyiv(DAY, 12), count=4)
    SourceCount.objects.create(day=DAY, source=Source.SEARCH, domain="google.com", count=7)
    SourceCount.objects.create(day=DAY, source=Source.SEARCH, domain="bing.com", count=2)
    SourceCount.objects.create(day=DAY, source=Source.SOCIAL, domain="t.co", count=5)
    SourceCount.objects.create(day=DAY, source=Source.DIRECT, domain="", count=11)
    SourceCount.objects.create(day=DAY + timedelta(days=5), source=Source.SOCIAL, domain="t.co", count=500)  # later
    morning, evening = NewsletterFactory(name="Morning"), NewsletterFactory(name="Evening")
    for newsletter, at in [(morning, kyiv(DAY, 8)), (morning, kyiv(DAY, 22)), (evening, kyiv(DAY + timedelta(1), 1))]:
        SubscriptionFactory(newsletter=newsletter, status="active", confirmed_at=at)
    SubscriptionFactory(newsletter=morning, status="pending")  # never confirmed: not a sign-up
    reader = member()
    for at in (kyiv(DAY, 10), kyiv(DAY, 11), kyiv(DAY - timedelta(1), 23)):
        comment(a, reader, created_at=at)
    return {"a": a, "b": b, "c": c}


@pytest.fixture
def editor(client, make_user):
    client.force_login(make_user("eddie", "Editors"))
    return client


def dashboard(client, **query):
    with mock.patch("django.utils.timezone.now", return_value=NOON + timedelta(days=1)):
        return client.get("/admin/analytics/", query)


def test_the_dashboard_shows_the_known_figures_for_the_period(editor, newsroom):
    a, b, c = newsroom["a"], newsroom["b"], newsroom["c"]
    response = dashboard(editor, start="2026-03-09", end="2026-03-10")
    assert response.status_code == 200
    context = response.context
    assert context["views_per_day"] == [(date(2026, 3, 9), 6), (date(2026, 3, 10), 33)]
    hours = {hour.hour: n for hour, n in context["views_per_hour"]}
    assert len(hours) == 24 and hours[9] == 32 and hours[23] == 1 and sum(hours.values()) == 33
    assert [(s["title"], s["views"]) for s in context["top_articles"]] == [
        (b.title, 21),
        (a.title, 15),
        (c.title, 3),
    ], "stories only (the home page's 99 views are not a story's), most viewed first"
    assert context["sources"] == [("direct or unknown", 11), ("search engines", 9), ("social media", 5)]
    assert context["referrers"] == [
        ("google.com", "search engines", 7),
        ("t.co", "social media", 5),
        ("bing.com", "search engines", 2),
    ]
    assert context["newsletters"] == ["Evening", "Morning"]
    assert context["signups"] == [(date(2026, 3, 9), [0, 0]), (date(2026, 3, 10), [0, 2])]
    assert context["plays_per_day"] == [(date(2026, 3, 9), 0), (date(2026, 3, 10), 4)]
    assert context["comments_per_day"] == [(date(2026, 3, 9), 1), (date(2026, 3, 10), 2)]
    page = response.content.decode()
    assert "9 March 2026 – 10 March 2026" in page and "<svg" in page and "<script" not in page.split("<svg")[1][:2000]
    assert "Page views per day, 9 March 2026 – 10 March 2026: 39 in all" in page


def test_a_one_day_period_and_the_next_day(editor, newsroom):
    context = dashboard(editor, start="2026-03-11", end="2026-03-11").context
    assert context["views_per_day"] == [(date(2026, 3, 11), 40)]
    assert [(s["title"], s["views"]) for s in context["top_articles"]] == [("Gamma story", 40)]
    assert context["signups"] == [(date(2026, 3, 11), [1, 0])]  # 01:00 in Kyiv is the 11th, 23:00 UTC the 10th


def test_the_csv_holds_the_same_figures_and_no_formula(editor, newsroom):
    response = dashboard(editor, start="2026-03-09", end="2026-03-10", format="csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="masthead-analytics-2026-03-09-2026-03-10.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["figure", "period", "what", "value"]
    period = "9 March 2026 – 10 March 2026"
    assert ["page views", period, "2026-03-10", "33"] in rows
    assert ["page views per hour", "2026-03-10", "09:00", "32"] in rows
    assert ["most viewed story", period, '\'=HYPERLINK("http://evil.example")', "21"] in rows
    assert ["referrer", period, "google.com (search engines)", "7"] in rows
    assert ["newsletter sign-ups: Morning", period, "2026-03-10", "2"] in rows
    assert ["narration plays", period, "2026-03-10", "4"] in rows
    assert ["comments", period, "2026-03-09", "1"] in rows
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-03-10", "end": "2026-03-01"},
        {"start": "1990-01-01", "end": "2026-03-01"},
        {"start": "2020-01-01", "end": "2026-03-01"},
        {"start": "2026-13-45"},
        {"end": "9999-12-31"},
        {"start": "'; DROP TABLE analytics_dailycount; --"},
        {"start": "<script>alert(1)</script>"},
        {"start": "２０２６-０３-１０"},
        {"start": "x" * 10_000},
        {"start": "99999999999999999999"},
        {"format": "<b>csv</b>"},
    ],
)
def test_hostile_periods_show_the_last_week_with_an_error(editor, newsroom, query):
    response = dashboard(editor, **query)
    assert response.status_code == 200
    period = response.context["period"]
    assert (period.first, period.last) == (date(2026, 3, 5), date(2026, 3, 11))
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page and "<b>csv</b>" not in page
    assert DailyCount.objects.count() == 7


def test_only_staff_see_the_dashboard(client, newsroom, make_user):
    assert client.get("/admin/analytics/").status_code == 302  # to the sign-in
    client.force_login(member("Reader"))
    assert client.get("/admin/analytics/").status_code in (302, 403)
    client.force_login(make_user("rita", "Reporters"))
    assert client.get("/admin/analytics/").status_code == 200


def test_beacons_reach_the_dashboard(client, editor, home):
    with tally.lock:
        tally.pending.clear()
    story = published_article(title="Counted story")
    for n in range(3):
        body = json.dumps({"c": f"page:{story.pk}", "r": "https://www.google.com/"})
        client.post(
            "/_view/",
            body,
            content_type="text/plain",
            REMOTE_ADDR=f"192.0.2.{n}",
            HTTP_USER_AGENT="Mozilla/5.0 Firefox",
        )
    tally.flush()
    context = editor.get("/admin/analytics/").context
    assert context["views_per_day"][-1] == (timezone.localdate(), 3)
    assert [(s["title"], s["views"]) for s in context["top_articles"]] == [("Counted story", 3)]
    assert context["referrers"] == [("google.com", "search engines", 3)]
