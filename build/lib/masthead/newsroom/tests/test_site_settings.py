"""The promo bar shows only inside its time window, and its settings refuse nonsense."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import Site

from masthead.newsroom.models import NewsroomSettings


@pytest.fixture
def newsroom_settings(home):
    newsroom_settings = NewsroomSettings.for_site(Site.objects.get(is_default_site=True))
    newsroom_settings.promo_text, newsroom_settings.promo_url = "Documentary", "https://example.org/doc"
    return newsroom_settings


def test_promo_window(newsroom_settings):
    now = timezone.now()
    assert newsroom_settings.promo_active(now)
    newsroom_settings.promo_starts_at = now + timedelta(hours=1)
    assert not newsroom_settings.promo_active(now)
    newsroom_settings.promo_starts_at, newsroom_settings.promo_ends_at = now - timedelta(hours=2), now
    assert not newsroom_settings.promo_active(now)
    assert newsroom_settings.promo_active(now - timedelta(hours=1))


def test_promo_without_text_or_link_is_hidden(newsroom_settings):
    newsroom_settings.promo_url = ""
    assert not newsroom_settings.promo_active()


def test_promo_ending_before_it_starts_is_refused(newsroom_settings):
    newsroom_settings.promo_starts_at = timezone.now()
    newsroom_settings.promo_ends_at = newsroom_settings.promo_starts_at - timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        newsroom_settings.full_clean()
    assert "promo_ends_at" in error.value.message_dict


@pytest.mark.parametrize("url", ["javascript:alert(1)", "not a url", "https://" + "a" * 300 + ".org/"])
def test_promo_link_must_be_a_web_address(newsroom_settings, url):
    newsroom_settings.promo_url = url
    with pytest.raises(ValidationError) as error:
        newsroom_settings.full_clean()
    assert "promo_url" in error.value.message_dict


def test_promo_shows_on_pages_only_in_its_window(client, newsroom_settings):
    newsroom_settings.save()
    assert "Documentary" in client.get("/").content.decode()
    newsroom_settings.promo_ends_at = timezone.now() - timedelta(seconds=1)
    newsroom_settings.promo_starts_at = timezone.now() - timedelta(days=1)
    newsroom_settings.save()
    assert "Documentary" not in client.get("/").content.decode()
