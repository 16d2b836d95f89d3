"""What pages read about narrations."""

from masthead.narration.models import Narration


def narration_for(*, article_id: int) -> dict | None:
    """The ready audio of an article, for its player; None when there is none."""
    narration = Narration.objects.filter(article_id=article_id, status=Narration.Status.READY).first()
    if narration is None or not narration.audio:
        return None
    return {"url": narration.audio.url, "duration_s": narration.duration_s, "minutes": narration.minutes}


PODCAST_EPISODES = 100


def podcast_section(*, slug: str):
    from masthead.newsroom.models import SectionPage

    return SectionPage.objects.live().filter(slug=slug).order_by("path").first()


def podcast_episodes(*, section=None, limit: int = PODCAST_EPISODES) -> list[dict]:
    """The newest narrated live articles (of a section and the sections under it), as episodes."""
    from django.conf import settings

    from masthead.newsroom.models import ArticleAuthor, SectionPage

    ready = Narration.objects.filter(status=Narration.Status.READY, article__live=True).exclude(audio="")
    if section is not None:
        sections = SectionPage.objects.descendant_of(section, inclusive=True).values("pk")
        ready = ready.filter(article__section__in=sections)
    ready = ready.select_related("article").order_by("-article__first_published_at")[:limit]
    narrations = list(ready)
    bylines: dict[int, list[str]] = {}
    for article_id, name in (
        ArticleAuthor.objects.filter(article_id__in=[n.article_id for n in narrations])
        .order_by("sort_order")
        .values_list("article_id", "author__name")
    ):
        bylines.setdefault(article_id, []).append(name)
    episodes = []
    for narration in narrations:
        article = narration.article
        url = article.url or ""
        episodes.append(
            {
                "title": article.title,
                "standfirst": article.standfirst,
                "url": settings.BASE_URL + url if url.startswith("/") else url,
                "guid": f"narration-{narration.article_id}-{narration.text_hash[:12]}",
                "published": article.first_published_at,
                "byline": ", ".join(bylines.get(narration.article_id, [])),
                "audio_url": settings.BASE_URL + narration.audio.url,
                "audio_bytes": narration.audio.size if narration.audio.storage.exists(narration.audio.name) else 0,
                "duration_s": narration.duration_s or 0,
            }
        )
    return episodes
