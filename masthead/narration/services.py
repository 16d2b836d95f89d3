"""Narrating articles: what is said, when new audio is needed, making it in the worker, removing it.

Publishing queues a narration only when the spoken text (or the voice) changed: its hash is kept. The task
reloads the article, claims the row (queued or failed → generating, or generating for longer than the task
lease: its worker died), speaks, encodes and stores the MP3, and marks it ready only if the text is still the
one it was asked for. A failure is recorded with its reason and tried again later; it never touches publishing.
"""

import hashlib
import html
import logging
import re
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.html import strip_tags

from masthead import outbox
from masthead.narration import engines
from masthead.narration.audio import mp3_encode
from masthead.narration.models import Narration, Pronunciation
from masthead.narration.speech import sentences, speakable

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
Status = Narration.Status


def spoken_paragraphs(*, article) -> list[str]:
    """What the voice reads, paragraph by paragraph, as it is said: the headline, the standfirst and the body's
    text, headings, quotes and fact boxes; not captions, credits, embeds or related-story teasers."""
    written = [article.title, article.standfirst]
    for block in article.body:
        value = block.value
        match block.block_type:
            case "paragraph":
                written += _html_paragraphs(value.source)
            case "heading":
                written.append(value["text"])
            case "quote":
                quote = value["text"]
                written.append(f"{quote} — {value['attribution']}" if value["attribution"] else quote)
            case "fact_box":
                written += [value["title"], *_html_paragraphs(value["body"].source)]
    lexicon = lexicon_pattern()
    spoken = []
    for paragraph in written:
        said = " ".join(speakable(sentence) for sentence in sentences(" ".join(paragraph.split())))
        if said:
            spoken.append(lexicon_apply(said, lexicon))
    return spoken


def lexicon_pattern() -> tuple | None:
    """The pronunciation lexicon as one pattern (longest words first) and what each word becomes."""
    entries = {
        word.lower(): (f"[[ {say_as} ]]" if kind == Pronunciation.Kind.PHONEMES else say_as)
        for word, say_as, kind in Pronunciation.objects.values_list("word", "say_as", "kind")
    }
    if not entries:
        return None
    words = sorted(entries, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w\[])(" + "|".join(re.escape(word) for word in words) + r")(?![\w\]])", re.IGNORECASE)
    return pattern, entries


def lexicon_apply(text: str, lexicon: tuple | None) -> str:
    if lexicon is None:
        return text
    pattern, entries = lexicon
    return pattern.sub(lambda match: entries[match.group(1).lower()], text)


def lexicon_changed(*, words: list[str]) -> int:
    """A pronunciation changed: ask again for the narration of each live article that contains one of these
    words (only those whose spoken text really changed get new audio). Returns how many were asked."""
    from masthead.newsroom.models import ArticlePage

    found = Q()
    for word in words:
        found |= Q(title__icontains=word) | Q(standfirst__icontains=word) | Q(body__icontains=word)
    articles = ArticlePage.objects.live().filter(found).select_related("section")
    asked = 0
    for article in articles.iterator():
        if narration_request(article=article) == "queued":
            asked += 1
    return asked


def _html_paragraphs(markup: str) -> list[str]:
    pieces = re.split(r"</(?:p|li|h\d)>|<br\s*/?>", markup)
    return [text for piece in pieces if (text := html.unescape(strip_tags(piece)).strip())]


def narration_hash(*, paragraphs: list[str], voice: str) -> str:
    spoken = "\n".join(paragraphs)
    return hashlib.sha256(f"{voice}\n{spoken}".encode()).hexdigest()


def narration_voice(*, article) -> str | None:
    """The voice that reads an article (`engine:voice`: its section's, the nearest section above's, or the
    site's), or None when it is not read aloud (the site, the article, its section or one above says not)."""
    if not settings.MASTHEAD_NARRATION["ENABLED"] or not article.narrated:
        return None
    sections = _sections(article)
    if not all(section.narrated for section in sections):
        return None
    return (
        next((section.narration_voice for section in sections if section.narration_voice), None)
        or (settings.MASTHEAD_NARRATION["VOICE"])
    )


def _sections(article) -> list:
    """The article's section and the sections above it, nearest first."""
    from masthead.newsroom.models import SectionPage

    if not article.section_id:
        return []
    return list(SectionPage.objects.ancestor_of(article.section, inclusive=True).order_by("-depth"))


def narration_request(*, article) -> str:
    """An article was published: queue its narration if its spoken text changed (or it has none). Cheap: the
    voice is not loaded here, only its name read from the settings."""
    voice = narration_voice(article=article)
    if voice is None:
        narration_remove(article_id=article.pk)
        return "off"
    text_hash = narration_hash(paragraphs=spoken_paragraphs(article=article), voice=voice)
    narration, created = Narration.objects.get_or_create(article_id=article.pk, defaults={"text_hash": text_hash})
    if not created and narration.text_hash == text_hash and narration.status != Status.FAILED:
        return "unchanged"
    if not created:
        Narration.objects.filter(pk=narration.pk).update(
            text_hash=text_hash, status=Status.QUEUED, attempts=0, error="", claimed_at=None
        )
    transaction.on_commit(lambda: narration_queue(article_id=article.pk, text_hash=text_hash))
    return "queued"


def narration_queue(*, article_id: int, text_hash: str, delay: timedelta | None = None) -> None:
    from masthead.narration.tasks import narration_make_task

    outbox.enqueue(narration_make_task, delay=delay, article_id=article_id, text_hash=text_hash)


def narration_make(*, article_id: int, text_hash: str) -> str:
    """Make the audio asked for (see the module's docstring); returns what happened."""
    from masthead.newsroom.models import ArticlePage

    now = timezone.now()
    orphaned = now - timedelta(seconds=settings.MASTHEAD_TASK_LEASE_SECONDS)
    claimable = Q(status__in=[Status.QUEUED, Status.FAILED]) | Q(status=Status.GENERATING, claimed_at__lt=orphaned)
    claimed = Narration.objects.filter(claimable, article_id=article_id, text_hash=text_hash).update(
        status=Status.GENERATING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return "not claimable"
    narration = Narration.objects.get(article_id=article_id)
    article = ArticlePage.objects.live().filter(pk=article_id).select_related("section").first()
    if article is None:
        narration_remove(article_id=article_id)
        return "not live"
    voice = narration_voice(article=article)
    if voice is None:  # switched off since it was asked for (a section's setting, say)
        narration_remove(article_id=article_id)
        return "off"
    try:
        paragraphs = spoken_paragraphs(article=article)
        if narration_hash(paragraphs=paragraphs, voice=voice) != text_hash:
            return "superseded"  # published again since: that publication queued its own
        engine = engines.engine(voice)
        mp3, duration = mp3_encode(engine.synthesize(paragraphs), sample_rate=engine.sample_rate)
    except engines.EngineError as error:
        return _failed(narration, str(error))
    except Exception as error:  # noqa: BLE001 (a bug or bad text must not stop the worker; recorded, retried)
        log.exception("Narration of article %s failed", article_id)
        return _failed(narration, f"{type(error).__name__}: {error}")
    name = default_storage.save(f"narration/{article_id}-{text_hash[:12]}.mp3", ContentFile(mp3))
    done = Narration.objects.filter(pk=narration.pk, text_hash=text_hash, status=Status.GENERATING).update(
        status=Status.READY,
        audio=name,
        duration_s=round(duration, 2),
        engine=engine.name,
        voice=engine.voice,
        error="",
        claimed_at=None,
        generated_at=timezone.now(),
    )
    if not done:
        default_storage.delete(name)
        return "superseded"
    if narration.audio and narration.audio.name != name:
        default_storage.delete(narration.audio.name)
    _shown(article)
    return "ready"


def _failed(narration: Narration, reason: str) -> str:
    attempts = narration.attempts
    Narration.objects.filter(pk=narration.pk, status=Status.GENERATING).update(
        status=Status.FAILED, error=reason[:2000], claimed_at=None
    )
    log.warning("Narration of article %s failed (attempt %s): %s", narration.article_id, attempts, reason)
    if attempts < MAX_ATTEMPTS:
        narration_queue(
            article_id=narration.article_id, text_hash=narration.text_hash, delay=outbox.retry_delay(attempts) * 4
        )
    return "failed"


def narration_remove(*, article_id: int) -> None:
    """The article was unpublished, deleted, or is no longer read aloud: its audio leaves the site."""
    from masthead.newsroom import services as newsroom
    from masthead.newsroom.models import ArticlePage

    narration = Narration.objects.filter(article_id=article_id).first()
    if narration is None:
        return
    if narration.audio:
        default_storage.delete(narration.audio.name)
    narration.delete()
    if article := ArticlePage.objects.filter(pk=article_id).first():
        newsroom.pages_purge(paths=podcast_paths(article=article))  # its episode leaves the podcast


def narrations_resume() -> int:
    """Queue every narration still owed (run when a worker starts: a queue entry may have been lost)."""
    owed = Narration.objects.filter(status__in=[Status.QUEUED, Status.GENERATING, Status.FAILED])
    owed = owed.filter(attempts__lt=MAX_ATTEMPTS)
    rows = list(owed.values_list("article_id", "text_hash"))
    for article_id, text_hash in rows:
        narration_queue(article_id=article_id, text_hash=text_hash)
    return len(rows)


def _shown(article) -> None:
    """The article's page now shows its player: its kept pieces are made again and its cached copies purged."""
    from masthead.newsroom import services as newsroom

    newsroom.pages_changed()
    newsroom.page_shown(page=article)
    newsroom.pages_purge(paths=podcast_paths(article=article))


def podcast_paths(*, article) -> set[str]:
    """The podcast feeds an article's episode is in: the site's, its section's and each section's above."""
    from django.urls import reverse

    from masthead.newsroom.models import SectionPage

    paths = {reverse("podcast")}
    if article.section_id and (section := SectionPage.objects.filter(pk=article.section_id).first()):
        for above in SectionPage.objects.ancestor_of(section, inclusive=True):
            paths.add(reverse("podcast_section", kwargs={"slug": above.slug}))
    return paths


def narrations_make(*, every: bool, out=None) -> dict:
    """Narrate the live articles that are read aloud, here and now (the `narrate` command): `every` makes each
    again, else only those with no ready audio for their current text. Returns the count of each outcome."""
    from masthead.newsroom.demo import progress
    from masthead.newsroom.models import ArticlePage

    articles = ArticlePage.objects.live().select_related("section").order_by("-first_published_at")
    wanted = [(article, voice) for article in articles if (voice := narration_voice(article=article))]
    ready = dict(Narration.objects.filter(status=Status.READY).values_list("article_id", "text_hash"))
    counts = {"ready": 0, "failed": 0, "skipped": 0}
    for done, (article, voice) in enumerate(wanted, start=1):
        text_hash = narration_hash(paragraphs=spoken_paragraphs(article=article), voice=voice)
        if not every and ready.get(article.pk) == text_hash:
            counts["skipped"] += 1
        else:
            Narration.objects.update_or_create(
                article_id=article.pk,
                defaults={"text_hash": text_hash, "status": Status.QUEUED, "attempts": 0, "error": ""},
            )
            outcome = narration_make(article_id=article.pk, text_hash=text_hash)
            counts["ready" if outcome == "ready" else "failed"] += 1
        progress(done, len(wanted), article.title[:40], out)
    return counts


def narration_regenerate(*, article_id: int) -> str:
    """An editor asked for new audio: made again from the current text, whatever the hash says."""
    from masthead.newsroom.models import ArticlePage

    article = ArticlePage.objects.live().filter(pk=article_id).select_related("section").first()
    if article is None:
        return "not live"
    Narration.objects.filter(article_id=article_id).update(text_hash="")  # forget it: the request queues anew
    return narration_request(article=article)  # "off" (and no audio) if it is not read aloud
