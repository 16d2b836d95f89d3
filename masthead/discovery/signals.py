from django.db.models.signals import post_save
from wagtail.signals import page_published, page_unpublished

from masthead.discovery import services
from masthead.discovery.models import DiscoverySettings


def _settings_saved(sender, instance, created=False, **kwargs):
    if created:  # made with the defaults the first time a page asks for them: nothing shown changes
        return
    # The feeds' length and content, the language in every page's data: pages and articles' heads are made again.
    from masthead.newsroom import services as newsroom_services

    newsroom_services.pages_changed()
    newsroom_services.layout_changed()


def _story_changed(sender, instance, **kwargs):
    # Published (again) or unpublished: the search index follows in the same transaction (one row; a deleted
    # story leaves with its row, which cascades).
    from masthead.newsroom.models import ArticlePage

    if isinstance(instance, ArticlePage):
        services.story_index_update(page_id=instance.pk)


def connect():
    post_save.connect(_settings_saved, sender=DiscoverySettings, dispatch_uid="discovery-settings-saved")
    page_published.connect(_story_changed, dispatch_uid="discovery-search-published")
    page_unpublished.connect(_story_changed, dispatch_uid="discovery-search-unpublished")
