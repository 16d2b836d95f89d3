"""The other engines behind the same interface: Debian's espeak-ng (a section's Ukrainian voice) and a cloud
speech API of the common `POST /v1/audio/speech` shape (here a local server of that shape: the paid services
cannot be reached from the tests)."""

import json
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from masthead.narration import engines
from masthead.narration.models import Narration
from masthead.narration.tests.test_narration import decoded, published, story
from masthead.newsroom.models import SectionPage
from masthead.newsroom.tests.factories import SectionPageFactory, paragraphs

needs_espeak = pytest.mark.skipif(
    not shutil.which("espeak-ng"), reason="Debian's espeak-ng is not installed (.ci/run installs it)"
)


@pytest.fixture
def narrated(settings):
    settings.MASTHEAD_NARRATION = {**settings.MASTHEAD_NARRATION, "ENABLED": True}


@needs_espeak
def test_a_ukrainian_section_is_read_by_espeak_ng(home, narrated, django_capture_on_commit_callbacks):
    ukraine = SectionPageFactory(parent=home, title="Україна", slug="ukraine", narration_voice="espeak-ng:uk")
    regions = SectionPageFactory(parent=ukraine, title="Регіони", slug="regions")  # inherits the voice
    article = published(
        story(section=regions, title="Київ відновив світло", standfirst="", body=paragraphs("Світло повернулося.")),
        django_capture_on_commit_callbacks,
    )
    narration = Narration.objects.get(article=article)
    assert (narration.status, narration.engine, narration.voice) == (Narration.Status.READY, "espeak-ng", "uk")
    with default_storage.open(narration.audio.name) as audio:
        seconds, loudness = decoded(audio.read())
    assert 1 < seconds < 20 and loudness > 300

    other = published(story(title="In English"), django_capture_on_commit_callbacks)
    assert Narration.objects.get(article=other).engine == "piper"  # the site's voice elsewhere


def test_a_section_voice_must_name_an_engine(home):
    section = SectionPageFactory(parent=home)
    section.narration_voice = "festival:uk"
    with pytest.raises(ValidationError) as raised:
        section.clean()
    assert "No speech engine 'festival'" in str(raised.value)
    section.narration_voice = "espeak-ng:uk"
    section.clean()
    assert isinstance(SectionPage.objects.get(pk=section.pk), SectionPage)


class SpeechAPI(BaseHTTPRequestHandler):
    """A local server of the cloud APIs' shape: checks the key, speaks with espeak-ng, answers a WAV file."""

    requests: list = []
    fail_with: int | None = None

    def do_POST(self):  # noqa: N802 (the http.server convention)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        SpeechAPI.requests.append({"path": self.path, "auth": self.headers["Authorization"], **body})
        if SpeechAPI.fail_with:
            self.send_response(SpeechAPI.fail_with)
            self.end_headers()
            self.wfile.write(b'{"error": "overloaded"}')
            return
        wav = subprocess.run(
            ["espeak-ng", "-v", "en-us", "--stdout"], input=body["input"].encode(), capture_output=True
        )
        self.send_response(200)
        self.send_header("Content-Type", "audio/wav")
        self.end_headers()
        self.wfile.write(wav.stdout)

    def log_message(self, *args):
        pass


@pytest.fixture
def speech_api(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), SpeechAPI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    SpeechAPI.requests, SpeechAPI.fail_with = [], None
    settings.MASTHEAD_NARRATION_HTTP = {
        "URL": f"http://127.0.0.1:{server.server_address[1]}",
        "KEY": "test-key",
        "MODEL": "tts-1",
        "VOICE": "alloy",
        "SAMPLE_RATE": 22050,
    }
    yield SpeechAPI
    server.shutdown()


@needs_espeak
def test_a_cloud_speech_api_of_the_common_shape(
    home, narrated, settings, speech_api, django_capture_on_commit_callbacks
):
    settings.MASTHEAD_NARRATION = {**settings.MASTHEAD_NARRATION, "VOICE": "http:nova"}
    article = published(story(), django_capture_on_commit_callbacks)
    narration = Narration.objects.get(article=article)
    assert (narration.status, narration.engine, narration.voice) == (Narration.Status.READY, "http", "nova")
    (first, *_) = speech_api.requests
    assert first["path"] == "/v1/audio/speech" and first["auth"] == "Bearer test-key"
    assert (first["model"], first["voice"], first["response_format"]) == ("tts-1", "nova", "pcm")
    assert first["input"] == "Bridge reopens in Kherson"

    speech_api.fail_with = 503
    other = published(story(title="When the API is down"), django_capture_on_commit_callbacks)
    failed = Narration.objects.get(article=other)
    assert failed.status == Narration.Status.FAILED and "503" in failed.error


def test_no_api_configured_is_a_clear_failure(settings):
    settings.MASTHEAD_NARRATION_HTTP = {**settings.MASTHEAD_NARRATION_HTTP, "URL": ""}
    with pytest.raises(engines.EngineError, match="MASTHEAD_NARRATION_HTTP_URL is not set"):
        engines.HTTPEngine()
