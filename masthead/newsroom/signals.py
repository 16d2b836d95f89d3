"""Hooks Wagtail's events into the newsroom's services; nothing else happens here."""

from django.db.models.signals import post_delete, post_save, pre_delete
from taggit.models import Tag
from wagtail.models import Page, PageViewRestriction, Revision, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from masthead.newsroom import services, serving
from masthead.newsroom.models import ArticleListing, ArticlePage, Author, NewsroomImage, NewsroomSettings, SectionPage


def _revision_saved(sender, instance: Revision, created: bool, **kwargs):
    if instance.approved_go_live_at is not None:
        services.scheduled_publishing_queue(at=instance.approved_go_live_at)


def _page_published(sender, instance, **kwargs):
    if instance.expire_at is not None:
        services.scheduled_publishing_queue(at=instance.expire_at)


def _page_changed(sender, instance=None, **kwargs):
    if isinstance(instance, Page):
        services.pages_changed()


def _page_shown(sender, instance, **kwargs):
    services.page_shown(page=instance)


def _page_moved(sender, instance, **kwargs):
    services.page_shown(page=instance)
    if not isinstance(instance.specific_deferred, ArticlePage):
        services.layout_changed()  # the menus may link it


def _page_hidden(sender, instance, **kwargs):
    if not (instance.live or kwargs.get("signal") is page_unpublished):
        return  # a draft was deleted: no cache holds it
    services.page_hidden(page=instance)
    if not isinstance(instance.specific_deferred, ArticlePage):
        services.layout_changed()


def _article_listed(sender, instance, **kwargs):
    if isinstance(instance.specific_deferred, ArticlePage):
        services.article_listings_update(article_ids=[instance.pk])


def _section_moved(sender, instance, **kwargs):
    if isinstance(instance.specific_deferred, SectionPage):
        services.section_listings_update(section=instance)


def _listing_gone(sender, instance, **kwargs):
    kind = {Tag: ArticleListing.Kind.TAG, Author: ArticleListing.Kind.AUTHOR}.get(sender, ArticleListing.Kind.SECTION)
    services.listing_gone(kind=kind, key=instance.pk)


def _settings_saved(sender, instance, **kwargs):
    services.layout_changed()  # (the cached copy of the settings is dropped by _serving_changed, below)


def _image_saved(sender, instance, created=False, **kwargs):
    if not instance.renditions_complete:
        services.image_renditions_queue(image_id=instance.pk)
    if not created:  # an edited caption, credit or crop shows wherever the picture is: all of it is made again
        services.pages_changed()
        services.layout_changed()


def _cards_changed(sender, **kwargs):
    # An author's name or photo shows on cards and bylines on many pages: all of them are made again.
    services.pages_changed()
    services.layout_changed()


def _serving_changed(sender, **kwargs):
    serving.serving_cache_expire()


def connect():
    post_save.connect(_revision_saved, sender=Revision, dispatch_uid="newsroom-revision-scheduled")
    page_published.connect(_page_published, dispatch_uid="newsroom-page-expiry")
    page_changes = {"published": page_published, "unpublished": page_unpublished, "moved": post_page_move}
    for name, signal in page_changes.items():
        signal.connect(_page_changed, dispatch_uid=f"newsroom-menus-expire-{name}")
    # Deleting any kind of page deletes its wagtailcore Page row too, which is all this needs to hear of.
    post_delete.connect(_page_changed, sender=Page, dispatch_uid="newsroom-menus-expire-deleted")
    # The caches: purge what a change shows on (services.page_shown, page_hidden).
    page_published.connect(_page_shown, dispatch_uid="newsroom-purge-published")
    post_page_move.connect(_page_moved, dispatch_uid="newsroom-purge-moved")
    page_unpublished.connect(_page_hidden, dispatch_uid="newsroom-purge-unpublished")
    pre_delete.connect(_page_hidden, sender=Page, dispatch_uid="newsroom-purge-deleted")
    # The listings (models.listings) follow what is live.
    page_published.connect(_article_listed, dispatch_uid="newsroom-listings-published")
    page_unpublished.connect(_article_listed, dispatch_uid="newsroom-listings-unpublished")
    post_page_move.connect(_section_moved, dispatch_uid="newsroom-listings-section-moved")
    for model in (SectionPage, Tag, Author):
        post_delete.connect(_listing_gone, sender=model, dispatch_uid=f"newsroom-listings-{model.__name__}-deleted")
    post_save.connect(_settings_saved, sender=NewsroomSettings, dispatch_uid="newsroom-purge-settings")
    post_save.connect(_image_saved, sender=NewsroomImage, dispatch_uid="newsroom-image-renditions")
    for signal in (post_save, post_delete):
        signal.connect(_cards_changed, sender=Author, dispatch_uid=f"newsroom-author-cards-{id(signal)}")
    # What newsroom/serving.py caches: the sites, whether any page is restricted, and the site settings every
    # page reads (each app's, as serving.CACHED_SETTINGS lists them).
    from django.apps import apps

    for model in (Site, PageViewRestriction, *map(apps.get_model, serving.CACHED_SETTINGS)):
        for signal in (post_save, post_delete):
            signal.connect(
                _serving_changed, sender=model, dispatch_uid=f"newsroom-serving-{model.__name__}-{id(signal)}"
            )
