"""Publishing an article asks for its narration (a task makes it); unpublishing or deleting removes it."""

from django.db.models.signals import pre_delete
from wagtail.signals import page_published, page_unpublished


def _published(sender, instance, **kwargs):
    from masthead.narration import services

    services.narration_request(article=instance)


def _gone(sender, instance, **kwargs):
    from masthead.narration import services

    services.narration_remove(article_id=instance.pk)


def connect():
    from masthead.newsroom.models import ArticlePage

    page_published.connect(_published, sender=ArticlePage, dispatch_uid="narration-published")
    page_unpublished.connect(_gone, sender=ArticlePage, dispatch_uid="narration-unpublished")
    pre_delete.connect(_gone, sender=ArticlePage, dispatch_uid="narration-deleted")
