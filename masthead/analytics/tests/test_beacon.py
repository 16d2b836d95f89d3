"""The view beacon and the counting rules: exact counts after a write, robots, prefetches, previews and editors
not counted, once per reader per page per day through a salt of the day that is then forgotten, sources, and
hostile beacons answered with 4xx and counted nowhere."""

import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db.models import Sum

from masthead.analytics import counting
from masthead.analytics.ingest import tally
from masthead.analytics.models import DailyCount, DailySalt, HourlyCount, Seen, Source, SourceCount, Target, TotalCount
from masthead.newsroom.tests.factories import AuthorFactory, published_article

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile Safari/604.1"


@pytest.fixture(autouse=True)
def empty_tally():
    """Views gathered by another test's requests are not this test's."""
    with tally.lock:
        tally.pending.clear()
    counting.salts.day = None
    yield
    with tally.lock:
        tally.pending.clear()


@pytest.fixture
def article(home):
    return published_article(title="Kharkiv after the strike")


def send(client, what, *, address="203.0.113.7", agent=BROWSER, referrer="", method="post", **headers):
    body = {"c": what, "r": referrer} if isinstance(what, str) else what
    meta = {"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent, **headers}
    if method == "get":
        return client.get("/_view/", {"c": what}, **meta)
    return client.post("/_view/", json.dumps(body), content_type="text/plain;charset=UTF-8", **meta)


def counted(target=Target.PAGE, object_id=None) -> int:
    rows = DailyCount.objects.filter(target=target)
    if object_id is not None:
        rows = rows.filter(object_id=object_id)
    return rows.aggregate(total=Sum("count"))["total"] or 0


def test_n_beacons_from_n_readers_are_n_views_in_every_counter(client, article):
    for n in range(25):
        assert send(client, f"page:{article.pk}", address=f"198.51.100.{n}").status_code == 204
    assert counted() == 0, "nothing is written before the flush"
    assert tally.flush() == 25
    assert counted(object_id=article.pk) == 25
    assert HourlyCount.objects.get(target=Target.PAGE, object_id=article.pk).count == 25
    assert TotalCount.objects.get(target=Target.PAGE).count == 25
    assert SourceCount.objects.get(source=Source.DIRECT).count == 25
    assert tally.flush() == 0, "a second flush has nothing left to write"
    assert counted() == 25


def test_a_reader_is_counted_once_per_page_per_day(client, article, home):
    for _ in range(3):
        send(client, f"page:{article.pk}")
        send(client, f"page:{home.pk}")
    send(client, f"page:{article.pk}", agent=PHONE)  # another browser at the same address: another reader
    tally.flush()
    send(client, f"page:{article.pk}")  # again, after the write
    tally.flush()
    assert counted(object_id=article.pk) == 2
    assert counted(object_id=home.pk) == 1


def test_the_next_day_a_new_salt_counts_the_reader_again_and_the_old_one_is_forgotten(client, article):
    first = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)  # 22:00 in Kyiv
    with mock.patch("django.utils.timezone.now", return_value=first):
        send(client, f"page:{article.pk}")
        send(client, f"page:{article.pk}")
        tally.flush()
    salt_before = DailySalt.objects.get().salt
    with mock.patch("django.utils.timezone.now", return_value=first + timedelta(hours=3)):  # 01:00 the next day
        send(client, f"page:{article.pk}")
        tally.flush()
    assert list(DailyCount.objects.order_by("day").values_list("day", "count")) == [
        (datetime(2026, 3, 10).date(), 1),
        (datetime(2026, 3, 11).date(), 1),
    ]
    salts = list(DailySalt.objects.values_list("day", "salt"))
    assert salts == [(datetime(2026, 3, 11).date(), salts[0][1])] and salts[0][1] != salt_before
    assert set(Seen.objects.values_list("day", flat=True)) == {datetime(2026, 3, 11).date()}


def test_the_digest_changes_with_the_salt_and_keeps_nothing_of_the_reader():
    common = {"site": "example.org", "address": "203.0.113.7", "user_agent": BROWSER, "target": 0, "object_id": 5}
    monday = counting.digest(salt=b"a" * 64, **common)
    assert monday == counting.digest(salt=b"a" * 64, **common)
    assert monday != counting.digest(salt=b"b" * 64, **common)
    assert -(2**63) <= monday < 2**63


@pytest.mark.parametrize(
    "agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "",
        "Mozilla/5.0 " + "x" * 5000,
    ],
)
def test_robots_are_answered_like_readers_and_counted_nowhere(client, article, agent):
    assert send(client, f"page:{article.pk}", agent=agent).status_code == 204
    tally.flush()
    assert counted() == 0 and not Seen.objects.exists()


def test_prefetches_and_signed_in_editors_are_not_counted(client, article, make_user):
    assert send(client, f"page:{article.pk}", HTTP_SEC_PURPOSE="prefetch;prerender").status_code == 204
    assert send(client, f"page:{article.pk}", HTTP_PURPOSE="prefetch").status_code == 204
    client.force_login(make_user("ed", "Editors", is_staff=True))
    assert send(client, f"page:{article.pk}", address="192.0.2.99").status_code == 204
    tally.flush()
    assert counted() == 0


def test_pages_carry_the_beacon_and_previews_do_not(client, article):
    page = client.get(article.url).content.decode()
    assert f'data-count="page:{article.pk}"' in page
    assert f'src="/_view/?c=page%3A{article.pk}"' in page  # the <noscript> fallback
    response = article.make_preview_request()  # as the admin's preview renders it
    preview = (response.render() if hasattr(response, "render") else response).content.decode()
    assert "Kharkiv after the strike" in preview and "data-count" not in preview and "/_view/" not in preview


def test_tag_and_author_pages_and_plays_are_counted_as_their_own(client, article):
    article.tags.add("Energy")
    author = AuthorFactory(slug="rita")
    article.save_revision().publish()
    tag_id = article.tags.get().pk
    assert f'data-count="tag:{tag_id}"' in client.get("/tag/energy/").content.decode()
    assert f'data-count="author:{author.pk}"' in client.get("/author/rita/").content.decode()
    for what in (f"tag:{tag_id}", f"author:{author.pk}", f"play:{article.pk}"):
        assert send(client, what).status_code == 204
    tally.flush()
    assert (counted(Target.TAG, tag_id), counted(Target.AUTHOR, author.pk), counted(Target.PLAY, article.pk)) == (
        1,
        1,
        1,
    )
    assert SourceCount.objects.get().count == 2, "plays are not page views: their sources are not counted again"


def test_the_noscript_image_counts_and_gets_a_picture(client, article):
    response = send(client, f"page:{article.pk}", method="get", HTTP_REFERER=f"http://testserver{article.url}")
    assert response.status_code == 200 and response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a") and "no-store" in response["Cache-Control"]
    tally.flush()
    assert counted() == 1


def test_the_image_shown_on_another_site_or_asked_with_head_counts_nowhere(client, article):
    embedded = send(client, f"page:{article.pk}", method="get", HTTP_REFERER="https://elsewhere.example/")
    assert embedded.status_code == 200 and embedded["Content-Type"] == "image/gif"
    assert client.head("/_view/", {"c": f"page:{article.pk}"}, REMOTE_ADDR="192.0.2.5").status_code == 200
    tally.flush()
    assert counted() == 0


@pytest.mark.parametrize(
    ("referrer", "query", "source", "domain"),
    [
        ("https://www.google.com/", {}, Source.SEARCH, "google.com"),
        ("https://www.google.com.ua/", {}, Source.SEARCH, "google.com.ua"),
        ("https://duckduckgo.com/", {}, Source.SEARCH, "duckduckgo.com"),
        ("https://t.co/abc", {}, Source.SOCIAL, "t.co"),
        ("https://m.facebook.com/", {}, Source.SOCIAL, "m.facebook.com"),
        ("https://mail.google.com/mail/u/0/", {}, Source.NEWSLETTER, "mail.google.com"),
        ("", {"m": "email"}, Source.NEWSLETTER, ""),
        ("", {"s": "morning-newsletter"}, Source.NEWSLETTER, ""),
        ("https://kyivindependent.example/some/path?q=secret", {}, Source.OTHER, "kyivindependent.example"),
        ("http://testserver/war/", {}, Source.INTERNAL, ""),
        ("", {}, Source.DIRECT, ""),
        ("not a url at all", {}, Source.DIRECT, ""),
        ("https://<script>.example/", {}, Source.DIRECT, ""),
        ("https://[::1/", {}, Source.DIRECT, ""),
    ],
)
def test_sources_keep_the_referring_domain_only(client, article, referrer, query, source, domain):
    assert send(client, {"c": f"page:{article.pk}", "r": referrer, **query}).status_code == 204
    tally.flush()
    assert list(SourceCount.objects.values_list("source", "domain", "count")) == [(source, domain, 1)]


HOSTILE = [
    ("not json", 400),
    ("[1, 2]", 400),
    ('"page:1"', 400),
    ("{}", 400),
    ('{"c": 12}', 400),
    ('{"c": "page:"}', 400),
    ('{"c": "page:1 OR 1=1"}', 400),
    ('{"c": "page:1; DROP TABLE analytics_seen"}', 400),
    ('{"c": "<script>alert(1)</script>"}', 400),
    ('{"c": "page:99999999999999999999"}', 400),
    ('{"c": "page:-1"}', 400),
    ('{"c": "page:١٢"}', 400),  # Arabic-Indic digits
    ('{"c": "PAGE:1"}', 400),
    ('{"c": "secret:1"}', 400),
    ('{"c": "page:1\\u0000"}', 400),
    ('{"c": ["page:1"]}', 400),
    ("[" * 2000, 400),  # nested deeper than the parser goes
    ('{"c": "page:987654"}', 404),  # no such page
    ('{"c": "tag:987654"}', 404),
    ('{"c": "author:987654"}', 404),
]


@pytest.mark.parametrize(("body", "status"), HOSTILE, ids=[f"hostile-{n}" for n in range(len(HOSTILE))])
def test_hostile_beacons_are_refused_and_counted_nowhere(client, article, body, status):
    response = client.post(
        "/_view/", body, content_type="text/plain", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=BROWSER
    )
    assert response.status_code == status
    assert "<script>" not in response.content.decode()
    tally.flush()
    assert not Seen.objects.exists() and counted() == 0 and not tally.pending


def test_huge_bodies_wrong_methods_and_other_sites_are_refused(client, article):
    huge = json.dumps({"c": f"page:{article.pk}", "r": "x" * 5000})
    assert client.post("/_view/", huge, content_type="text/plain").status_code == 413
    assert client.put("/_view/", "{}", content_type="text/plain").status_code == 405
    assert client.delete("/_view/").status_code == 405
    foreign = send(client, f"page:{article.pk}", HTTP_ORIGIN="https://evil.example")
    assert foreign.status_code == 403
    assert send(client, f"page:{article.pk}", HTTP_ORIGIN="http://testserver").status_code == 204
    assert client.get("/_view/", {"c": "page:abc"}).status_code == 400
    tally.flush()
    assert counted() == 1  # only the one from this site's page


def test_a_draft_or_unpublished_page_is_not_counted(client, home):
    draft = published_article(title="Soon withdrawn")
    draft.unpublish()
    assert send(client, f"page:{draft.pk}").status_code == 404


def test_a_flood_from_one_reader_gets_429_and_counts_once(client, article, settings):
    settings.MASTHEAD_ANALYTICS_BEACONS_PER_MINUTE = 5
    answers = [send(client, f"page:{article.pk}", agent=f"{BROWSER} n{n}").status_code for n in range(8)]
    assert answers == [204] * 5 + [429] * 3
    flooded = send(client, f"page:{article.pk}")
    assert flooded.status_code == 429 and 1 <= int(flooded["Retry-After"]) <= 60
    assert send(client, f"page:{article.pk}", address="192.0.2.1").status_code == 204  # another reader
    tally.flush()
    assert counted() == 6


def test_views_wait_in_memory_when_the_database_refuses_and_are_written_after(client, article):
    from django.db import OperationalError

    send(client, f"page:{article.pk}")
    with (
        mock.patch("masthead.analytics.ingest.views_record", side_effect=OperationalError("database is locked")),
        pytest.raises(OperationalError),
    ):
        tally.flush()
    assert len(tally.pending) == 1
    assert tally.flush() == 1 and counted() == 1
