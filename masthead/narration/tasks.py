"""Background tasks of narration: thin, they call services."""

from django_tasks import task


@task()
def narration_make_task(article_id: int, text_hash: str):
    """Make an article's audio for this spoken text; a rerun after it is made does nothing."""
    from masthead.narration import services

    return services.narration_make(article_id=article_id, text_hash=text_hash)


@task()
def lexicon_changed_task(words: list[str]):
    """New audio for the articles that say a word whose pronunciation changed."""
    from masthead.narration import services

    return services.lexicon_changed(words=words)
