"""Newsletters show in the layout (the footer's and the article rail's sign-up forms): a change to one makes the
layout's kept pieces and cached pages again. And the email provider's reports of bounces, complaints and
unsubscribes (django-anymail's tracking webhooks) feed the suppression list."""

from anymail.signals import tracking
from django.db.models.signals import post_delete, post_save

from masthead.newsletters.models import Newsletter


def _newsletters_changed(sender, **kwargs):
    from masthead.newsroom import services

    services.pages_changed()
    services.layout_changed()


def _tracked(sender, event, esp_name, **kwargs):
    from masthead.newsletters import services
    from masthead.newsletters.models import Suppression

    if not event.recipient:
        return
    if event.event_type == "complained":
        services.suppression_add(email=event.recipient, reason=Suppression.Reason.COMPLAINED)
    elif event.event_type == "bounced" or (
        event.event_type == "rejected" and event.reject_reason in ("invalid", "bounced")
    ):
        services.suppression_add(email=event.recipient, reason=Suppression.Reason.BOUNCED)
    elif event.event_type == "unsubscribed":
        services.subscriber_unsubscribe_all(email=event.recipient)


def _article_published(sender, instance, **kwargs):
    from masthead.newsletters.sending import article_issues_record

    article_issues_record(article=instance)


def connect():
    from wagtail.signals import page_published

    from masthead.newsroom.models import ArticlePage

    page_published.connect(_article_published, sender=ArticlePage, dispatch_uid="newsletters-article-published")
    tracking.connect(_tracked, dispatch_uid="newsletters-provider-tracking")
    for signal in (post_save, post_delete):
        signal.connect(_newsletters_changed, sender=Newsletter, dispatch_uid=f"newsletters-layout-{id(signal)}")
