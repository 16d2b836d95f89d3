"""The newsletters in the admin: editors manage them and see subscriber counts; subscribers can be searched and
filtered; reporters see none of it."""

import pytest
from bs4 import BeautifulSoup

from masthead.newsletters.models import Subscription
from masthead.newsletters.tests.factories import NewsletterFactory, SubscriptionFactory

Status = Subscription.Status


@pytest.fixture
def letters(db):
    morning, weekly = NewsletterFactory(name="Morning", slug="morning"), NewsletterFactory(name="Weekly", slug="weekly")
    SubscriptionFactory(subscriber__email="one@example.org", newsletter=morning, status=Status.ACTIVE)
    SubscriptionFactory(subscriber__email="two@example.org", newsletter=morning, status=Status.ACTIVE)
    SubscriptionFactory(subscriber__email="three@example.org", newsletter=morning, status=Status.PENDING)
    SubscriptionFactory(subscriber__email="four@example.org", newsletter=weekly, status=Status.UNSUBSCRIBED)
    return morning, weekly


def test_editors_see_each_newsletter_with_its_subscriber_counts(client, make_user, letters):
    client.force_login(make_user("editor", "Editors"))
    page = client.get("/admin/snippets/newsletters/newsletter/")
    assert page.status_code == 200
    rows = [
        [cell.get_text(strip=True) for cell in row.select("td, th")]
        for row in BeautifulSoup(page.content, "html.parser").select("tbody tr")
    ]
    morning = next(row for row in rows if any(cell.startswith("MorningEdit") for cell in row))
    weekly = next(row for row in rows if any(cell.startswith("WeeklyEdit") for cell in row))
    assert "2" in morning and "1" in morning, morning  # two subscribed, one waiting to confirm
    assert "0" in weekly, weekly  # the unsubscribed address does not count
    assert client.get(f"/admin/snippets/newsletters/newsletter/edit/{letters[0].pk}/").status_code == 200


def test_subscribers_are_searched_and_filtered(client, make_user, letters):
    client.force_login(make_user("editor", "Editors"))
    found = client.get("/admin/snippets/newsletters/subscriber/", {"q": "two@"})
    assert found.status_code == 200 and b"two@example.org" in found.content and b"one@example.org" not in found.content
    filtered = client.get(
        "/admin/snippets/newsletters/subscriber/", {"subscriptions__newsletter": letters[1].pk}
    ).content
    assert b"four@example.org" in filtered and b"one@example.org" not in filtered
    hostile = client.get("/admin/snippets/newsletters/subscriber/", {"q": "'; DROP TABLE x; -- <script>", "p": "99999"})
    assert hostile.status_code in (200, 404) and b"<script>" not in hostile.content


def test_reporters_do_not_see_subscribers(client, make_user, letters):
    client.force_login(make_user("reporter", "Reporters"))
    assert client.get("/admin/snippets/newsletters/subscriber/").status_code in (302, 403)


def test_figures_show_subscribers_over_time(client, make_user, letters):
    from datetime import timedelta

    from django.utils import timezone

    from masthead.newsletters import selectors

    morning = letters[0]
    now = timezone.now()
    Subscription.objects.filter(newsletter=morning, status=Status.ACTIVE).update(confirmed_at=now)
    SubscriptionFactory(
        subscriber__email="older@example.org",
        newsletter=morning,
        status=Status.UNSUBSCRIBED,
        confirmed_at=now - timedelta(weeks=3),
        unsubscribed_at=now,
    )
    figures = {row["newsletter"].slug: row for row in selectors.subscribers_by_week(weeks=12)}
    this_week, three_weeks_ago = figures["morning"]["weeks"][0], figures["morning"]["weeks"][3]
    assert figures["morning"]["active"] == 2 and len(figures["morning"]["weeks"]) == 12
    assert (this_week["joined"], this_week["left"], this_week["net"]) == (2, 1, "+1")
    assert three_weeks_ago["joined"] == 1

    client.force_login(make_user("editor", "Editors"))
    page = client.get("/admin/newsletters/figures/")
    assert page.status_code == 200 and b"Morning: 2 subscribers" in page.content
    client.force_login(make_user("reporter", "Reporters"))
    assert client.get("/admin/newsletters/figures/").status_code in (302, 403)
