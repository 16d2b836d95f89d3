"""Publishing an article asks for its narration (a task makes it); unpublishing or deleting removes it; a change
to the pronunciation lexicon asks again for the articles that say the word."""

from django.db.models.signals import pre_delete
from wagtail.signals import page_published, page_unpublished


def _published(sender, instance, **kwargs):
    from masthead.narration import services

    services.narration_request(article=instance)


def _gone(sender, instance, **kwargs):
    from masthead.narration import services

    services.narration_remove(article_id=instance.pk)


def _pronunciation_changed(sender, instance, **kwargs):
    from django.db import transaction

    from masthead.narration.tasks import lexicon_changed_task

    words = sorted({instance.word, *getattr(instance, "_words_before", set())})
    transaction.on_commit(lambda: lexicon_changed_task.enqueue(words=words))


def _pronunciation_loaded(sender, instance, **kwargs):
    instance._words_before = {instance.word}  # a renamed entry changes articles with the old word too


def connect():
    from django.db.models.signals import post_delete, post_init, post_save

    from masthead.narration.models import Pronunciation
    from masthead.newsroom.models import ArticlePage

    post_init.connect(_pronunciation_loaded, sender=Pronunciation, dispatch_uid="narration-lexicon-loaded")
    for signal in (post_save, post_delete):
        signal.connect(_pronunciation_changed, sender=Pronunciation, dispatch_uid=f"narration-lexicon-{id(signal)}")

    page_published.connect(_published, sender=ArticlePage, dispatch_uid="narration-published")
    page_unpublished.connect(_gone, sender=ArticlePage, dispatch_uid="narration-unpublished")
    pre_delete.connect(_gone, sender=ArticlePage, dispatch_uid="narration-deleted")
