"""Narration with the real Piper voice: the MP3 decodes, lasts as long as the text needs and is not silence;
publishing makes it once per spoken text; the player shows it; unpublishing and switching it off remove it; an
engine failure is recorded and never blocks publishing."""

import array
import math

import miniaudio
import pytest
from bs4 import BeautifulSoup
from django.core.files.storage import default_storage

from masthead.narration import engines, services
from masthead.narration.audio import mp3_encode
from masthead.narration.models import Narration
from masthead.newsroom.tests.factories import ArticlePageFactory, AuthorFactory, SectionPageFactory, paragraphs, publish
from masthead.tests.helpers import html_errors

Status = Narration.Status


def decoded(mp3: bytes) -> tuple[float, float]:
    """Seconds and loudness (RMS of 16-bit samples) of an MP3, decoded."""
    sound = miniaudio.decode(mp3, output_format=miniaudio.SampleFormat.SIGNED16, nchannels=1)
    samples = array.array("h", sound.samples)
    rms = math.sqrt(sum(sample * sample for sample in samples[::10]) / max(len(samples[::10]), 1))
    return len(samples) / sound.sample_rate, rms


@pytest.fixture
def narrated(settings):
    settings.MASTHEAD_NARRATION = {**settings.MASTHEAD_NARRATION, "ENABLED": True}


def story(**kwargs):
    kwargs.setdefault("authors", [AuthorFactory()])
    kwargs.setdefault("title", "Bridge reopens in Kherson")
    kwargs.setdefault("standfirst", "Traffic resumed on Jan. 27.")
    kwargs.setdefault("body", paragraphs("The bridge was repaired in 3 weeks.", "It cost $5 million."))
    return ArticlePageFactory(live=False, **kwargs)


def published(article, capture):
    with capture(execute=True):
        publish(article)
    return article


def test_piper_speaks_a_short_text_as_an_mp3_that_decodes():
    engine = engines.engine()
    text = ["Kyiv and Moscow carried out a prisoner exchange on January 27th.", "Both sides confirmed it."]
    mp3, seconds = mp3_encode(engine.synthesize(text), sample_rate=engine.sample_rate)
    length, loudness = decoded(mp3)
    assert mp3[:3] == b"ID3" or mp3[0] == 0xFF  # an MP3 stream
    assert 3 < seconds < 15 and abs(length - seconds) < 0.2  # about a second per five words
    assert loudness > 300  # speech, not silence


def test_publishing_narrates_once_and_the_page_plays_it(home, narrated, client, django_capture_on_commit_callbacks):
    article = published(story(), django_capture_on_commit_callbacks)
    narration = Narration.objects.get(article=article)
    assert narration.status == Status.READY and narration.engine == "piper" and narration.voice == "en_US-joe-medium"
    assert default_storage.exists(narration.audio.name) and 2 < narration.duration_s < 30
    markup = client.get(article.url).content.decode()
    assert html_errors({"article with its narration": markup}) == []  # the Nu HTML checker
    page = BeautifulSoup(markup, "html.parser")
    player = page.select_one("section.narration")
    audio = player.select_one("audio")
    assert audio["src"] == narration.audio.url and audio["preload"] == "none" and audio.has_attr("controls")
    assert "This audio is created with AI assistance" in player.get_text()
    assert player.select_one("a[download]")["href"] == narration.audio.url

    whole = client.get(narration.audio.url)
    assert whole.status_code == 200 and whole["Content-Type"] == "audio/mpeg" and whole["Accept-Ranges"] == "bytes"
    part = client.get(narration.audio.url, HTTP_RANGE="bytes=0-99")
    assert part.status_code == 206 and len(part.content) == 100 and part["Content-Range"].startswith("bytes 0-99/")
    assert client.get(narration.audio.url, HTTP_RANGE="bytes=99999999-").status_code == 416
    for bad in ["../../settings.py", "x.mp3", "%2e%2e%2fsecret.mp3"]:
        assert client.get(f"/media/narration/{bad}").status_code == 404

    with django_capture_on_commit_callbacks(execute=True) as queued:
        article.save_revision().publish()  # the same words: no new audio
    assert services.narration_request(article=article) == "unchanged" and not [
        callback for callback in queued if "narration" in getattr(callback, "__qualname__", "")
    ]
    assert Narration.objects.get(article=article).generated_at == narration.generated_at


def test_a_change_to_the_spoken_text_makes_new_audio_and_a_caption_does_not(
    home, narrated, django_capture_on_commit_callbacks
):
    article = published(story(), django_capture_on_commit_callbacks)
    first = Narration.objects.get(article=article)
    article.body = [*paragraphs("The bridge was repaired in 3 weeks.", "It cost $5 million."), ("embed", None)]
    assert services.narration_request(article=article) == "unchanged"  # an embed is not read aloud

    article.body = paragraphs("The bridge was repaired in 4 weeks.", "It cost $5 million.")
    with django_capture_on_commit_callbacks(execute=True):
        publish(article)
    second = Narration.objects.get(article=article)
    assert second.status == Status.READY and second.text_hash != first.text_hash
    assert second.audio.name != first.audio.name and not default_storage.exists(first.audio.name)


def test_unpublishing_or_switching_off_removes_the_audio(home, narrated, client, django_capture_on_commit_callbacks):
    article = published(story(), django_capture_on_commit_callbacks)
    audio = Narration.objects.get(article=article).audio.name
    article.unpublish()
    assert not Narration.objects.filter(article=article).exists() and not default_storage.exists(audio)

    article.narrated = False
    published(article, django_capture_on_commit_callbacks)
    assert not Narration.objects.filter(article=article).exists()
    assert not BeautifulSoup(client.get(article.url).content, "html.parser").select("section.narration")

    quiet = SectionPageFactory(parent=home, narrated=False)
    below = SectionPageFactory(parent=quiet)  # a section under one switched off is off too
    published(story(section=below, title="In a quiet section"), django_capture_on_commit_callbacks)
    assert not Narration.objects.exists()

    doomed = published(story(title="To be deleted"), django_capture_on_commit_callbacks)
    audio = Narration.objects.get(article=doomed).audio.name
    doomed.delete()
    assert not Narration.objects.exists() and not default_storage.exists(audio)


def test_an_engine_failure_is_recorded_and_publishing_goes_on(
    home, narrated, settings, django_capture_on_commit_callbacks
):
    settings.MASTHEAD_NARRATION = {**settings.MASTHEAD_NARRATION, "VOICE": "piper:/nowhere/en_US-nobody.onnx"}
    article = published(story(), django_capture_on_commit_callbacks)
    article.refresh_from_db()
    assert article.live
    narration = Narration.objects.get(article=article)
    assert narration.status == Status.FAILED and "voice" in narration.error.lower() and not narration.audio
    assert services.narration_make(article_id=article.pk, text_hash=narration.text_hash) == "failed"  # tried again


def test_the_task_is_safe_to_run_twice_and_knows_when_it_is_stale(home, narrated, django_capture_on_commit_callbacks):
    article = published(story(), django_capture_on_commit_callbacks)
    narration = Narration.objects.get(article=article)
    assert services.narration_make(article_id=article.pk, text_hash=narration.text_hash) == "not claimable"
    Narration.objects.filter(pk=narration.pk).update(status=Status.QUEUED, text_hash="0" * 64)
    assert services.narration_make(article_id=article.pk, text_hash="0" * 64) == "superseded"


def test_what_is_read_aloud(home):
    article = story(
        title="Strike on Kharkiv",
        standfirst="Gov. Oleh Syniehubov said 12% of homes lost power.",
        body=[
            ("paragraph", "<p>First <b>bold</b> words.</p><ul><li>One item</li></ul>"),
            ("heading", {"text": "What happened", "level": "h2"}),
            ("quote", {"text": "We will rebuild", "attribution": "the mayor"}),
            ("fact_box", {"title": "Key facts", "body": "<p>A fact.</p>"}),
        ],
    )
    assert services.spoken_paragraphs(article=article) == [
        "Strike on Kharkiv",
        "Governor Oleh Syniehubov said 12 percent of homes lost power.",
        "First bold words.",
        "One item",
        "What happened",
        "We will rebuild, the mayor",
        "Key facts",
        "A fact.",
    ]


def test_the_narrate_command_makes_what_is_missing_or_everything(home, narrated, django_capture_on_commit_callbacks):
    import io

    from django.core.management import call_command

    with django_capture_on_commit_callbacks(execute=False):  # published, but no worker ran the task
        article = publish(story())
    assert Narration.objects.get(article=article).status == Status.QUEUED
    out = io.StringIO()
    call_command("narrate", "--missing", stdout=out)
    assert "1 narrated, 0 failed, 0 already done." in out.getvalue() and "[#" in out.getvalue()
    first = Narration.objects.get(article=article)
    assert first.status == Status.READY
    call_command("narrate", "--missing", stdout=(out := io.StringIO()))
    assert "0 narrated, 0 failed, 1 already done." in out.getvalue()
    call_command("narrate", "--all", stdout=(out := io.StringIO()))
    assert "1 narrated" in out.getvalue() and Narration.objects.get(article=article).generated_at > first.generated_at


def test_the_pronunciation_lexicon_changes_what_is_said_and_the_audio(
    home, narrated, django_capture_on_commit_callbacks
):
    from masthead.narration.models import Pronunciation

    article = published(
        story(standfirst="General Zaluzhnyi visited Kyiv.", body=paragraphs("Zaluzhnyi's visit was short.")),
        django_capture_on_commit_callbacks,
    )
    before = Narration.objects.get(article=article)
    with django_capture_on_commit_callbacks(execute=True):
        Pronunciation.objects.create(word="Zaluzhnyi", say_as="Zah-LOOZH-nee")
    assert services.spoken_paragraphs(article=article)[1:] == [
        "General Zah-LOOZH-nee visited Kyiv.",
        "Zah-LOOZH-nee's visit was short.",
    ]
    after = Narration.objects.get(article=article)
    assert after.status == Status.READY and after.text_hash != before.text_hash  # made again, by the change

    other = published(
        story(title="Nothing to do with him", standfirst="", body=paragraphs("Rain.")),
        django_capture_on_commit_callbacks,
    )
    untouched = Narration.objects.get(article=other).generated_at
    with django_capture_on_commit_callbacks(execute=True):
        Pronunciation.objects.create(word="Kyiv", say_as="ˈkɪjɪu", kind=Pronunciation.Kind.PHONEMES)
    assert "[[ ˈkɪjɪu ]]" in services.spoken_paragraphs(article=article)[1]
    assert Narration.objects.get(article=article).status == Status.READY  # Piper spoke the phonemes
    assert Narration.objects.get(article=other).generated_at == untouched  # it does not say the word


def test_editors_see_listen_regenerate_and_keep_the_lexicon(
    home, narrated, client, make_user, django_capture_on_commit_callbacks
):
    from masthead.narration.models import Pronunciation

    article = published(story(), django_capture_on_commit_callbacks)
    narration = Narration.objects.get(article=article)
    client.force_login(make_user("editor", "Editors"))
    listing = client.get("/admin/snippets/narration/narration/")
    assert listing.status_code == 200 and article.title.encode() in listing.content
    assert f'src="{narration.audio.url}"'.encode() in listing.content
    editor_page = client.get(f"/admin/pages/{article.pk}/edit/").content.decode()
    assert "Ready" in editor_page and f'src="{narration.audio.url}"' in editor_page  # in the article editor too
    assert f"/admin/narration/{narration.pk}/regenerate/" in editor_page
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/admin/narration/{narration.pk}/regenerate/")
    assert answer.status_code == 302
    assert Narration.objects.get(article=article).generated_at > narration.generated_at
    assert client.get(f"/admin/narration/{narration.pk}/regenerate/").status_code == 405

    for hostile in [
        {"word": "", "say_as": "x", "kind": "respelling"},
        {"word": "Kyiv", "say_as": "[[ kɪjɪu ]]", "kind": "phonemes"},
        {"word": "x" * 500, "say_as": "y", "kind": "respelling"},
        {"word": "Kyiv", "say_as": "kɪjɪu", "kind": "<script>"},
    ]:
        answer = client.post("/admin/snippets/narration/pronunciation/add/", hostile)
        assert answer.status_code == 200, hostile
    assert not Pronunciation.objects.exists()
    answer = client.post(
        "/admin/snippets/narration/pronunciation/add/", {"word": " Kyiv ", "say_as": "Keev", "kind": "respelling"}
    )
    assert answer.status_code == 302 and Pronunciation.objects.get().word == "Kyiv"

    client.force_login(make_user("reporter", "Reporters"))
    assert client.get("/admin/snippets/narration/narration/").status_code in (302, 403)
    assert client.post(f"/admin/narration/{narration.pk}/regenerate/").status_code in (302, 403)


def test_the_podcast_feeds_read_in_a_podcast_app(home, narrated, client, django_capture_on_commit_callbacks):
    import feedparser

    war = SectionPageFactory(parent=home, title="War", slug="war")
    analysis = SectionPageFactory(parent=war, title="Analysis", slug="analysis")
    first = published(story(title="From the front", section=analysis), django_capture_on_commit_callbacks)
    published(story(title="Elsewhere", body=paragraphs("Other news.")), django_capture_on_commit_callbacks)
    quiet = story(title="Not read aloud", section=war)
    quiet.narrated = False
    published(quiet, django_capture_on_commit_callbacks)

    answer = client.get("/podcast/")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/rss+xml")
    assert "public" in answer["Cache-Control"]
    feed = feedparser.parse(answer.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title.endswith("read aloud") and feed.namespaces.get("itunes")
    titles = [entry.title for entry in feed.entries]
    assert sorted(titles) == ["Elsewhere", "From the front"]
    episode = next(entry for entry in feed.entries if entry.title == "From the front")
    narration = Narration.objects.get(article=first)
    (enclosure,) = episode.enclosures
    assert enclosure.href.endswith(narration.audio.url) and enclosure.type == "audio/mpeg"
    assert int(enclosure.length) == narration.audio.size
    assert int(episode.itunes_duration) == round(narration.duration_s) and episode.link.endswith(first.url)

    section = feedparser.parse(client.get("/podcast/war/").content)  # a section and the sections under it
    assert not section.bozo and [entry.title for entry in section.entries] == ["From the front"]
    assert client.get("/podcast/no-such-section/").status_code == 404
    assert client.get("/podcast/<script>/").status_code == 404


def test_an_article_abandoned_part_way_leaves_nothing_for_the_next():
    engine = engines.engine()
    long = (
        "This paragraph is long on purpose, so that its audio lasts many seconds, far longer than the short one. " * 2
    )
    speech = engine.synthesize([long, long, long])
    next(speech)
    speech.close()  # the caller stopped (an error while encoding, say)
    (alone,) = list(engine.synthesize(["Only this one."]))
    seconds = len(alone) / 2 / engine.sample_rate
    assert 0.5 < seconds < 3  # this sentence's audio, not the abandoned article's second paragraph (~10 s)
