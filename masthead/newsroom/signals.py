"""Hooks Wagtail's events into the newsroom's services; nothing else happens here."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, Revision
from wagtail.signals import page_published, page_unpublished, post_page_move

from masthead.newsroom import services


def _revision_saved(sender, instance: Revision, created: bool, **kwargs):
    if instance.approved_go_live_at is not None:
        services.scheduled_publishing_queue(at=instance.approved_go_live_at)


def _page_published(sender, instance, **kwargs):
    if instance.expire_at is not None:
        services.scheduled_publishing_queue(at=instance.expire_at)


def _page_changed(sender, instance=None, **kwargs):
    if isinstance(instance, Page):
        services.menus_expire()


def connect():
    post_save.connect(_revision_saved, sender=Revision, dispatch_uid="newsroom-revision-scheduled")
    page_published.connect(_page_published, dispatch_uid="newsroom-page-expiry")
    page_changes = {"published": page_published, "unpublished": page_unpublished, "moved": post_page_move}
    for name, signal in page_changes.items():
        signal.connect(_page_changed, dispatch_uid=f"newsroom-menus-expire-{name}")
    # Deleting any kind of page deletes its wagtailcore Page row too, which is all this needs to hear of.
    post_delete.connect(_page_changed, sender=Page, dispatch_uid="newsroom-menus-expire-deleted")
