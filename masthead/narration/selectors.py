"""What pages read about narrations."""

from masthead.narration.models import Narration


def narration_for(*, article_id: int) -> dict | None:
    """The ready audio of an article, for its player; None when there is none."""
    narration = Narration.objects.filter(article_id=article_id, status=Narration.Status.READY).first()
    if narration is None or not narration.audio:
        return None
    return {"url": narration.audio.url, "duration_s": narration.duration_s, "minutes": narration.minutes}
