"""Newsletters show in the layout (the footer's and the article rail's sign-up forms): a change to one makes the
layout's kept pieces and cached pages again."""

from django.db.models.signals import post_delete, post_save

from masthead.newsletters.models import Newsletter


def _newsletters_changed(sender, **kwargs):
    from masthead.newsroom import services

    services.pages_changed()
    services.layout_changed()


def connect():
    for signal in (post_save, post_delete):
        signal.connect(_newsletters_changed, sender=Newsletter, dispatch_uid=f"newsletters-layout-{id(signal)}")
