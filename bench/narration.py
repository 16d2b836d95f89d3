"""An article narrated by the whole pipeline, against Piper alone on the same text.

    python -m bench.narration [--words 600] [--runs 5]

Makes a throw-away newsroom (`masthead setup`) with one published article of `--words` words (sentences from
the corpus's stock, with dates, money and percentages for the text-for-speech rules), then alternates, `--runs`
times each (medians):

  (a) the pipeline: the narration task's service (`narration_make`: the hash, text for speech, Piper, MP3
      encoding, storing the file, the row) with the worker's warm engine;
  (b) the reference: Piper alone, `python -m piper` started and loaded beforehand, given the same spoken
      paragraphs a line each, timed until it has written the last WAV file.

Prints the audio's length, each one's real-time factor (audio seconds per wall second) and the pipeline's
overhead over Piper. The last line is one JSON object.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.pages import new_database

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    var = tempfile.mkdtemp(prefix="masthead-bench-narration-")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "MASTHEAD_HTTPS": "0",
        "LOG_LEVEL": "WARNING",
        "MASTHEAD_VAR_DIR": var,
        "DATABASE_URL": f"sqlite:///{var}/masthead.sqlite3",
        "MASTHEAD_NARRATION": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    new_database(Path(var) / "masthead.sqlite3")
    subprocess.run([sys.executable, "-m", "masthead.cli", "setup"], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
    import django

    django.setup()
    from masthead.narration import engines, services
    from masthead.narration.models import Narration

    article = _article(args.words)
    paragraphs = services.spoken_paragraphs(article=article)
    words = len(" ".join([article.title, article.standfirst, *_body_texts(article)]).split())
    narration = Narration.objects.get(article=article)
    engine = engines.engine()
    list(engine.synthesize(["Warming up."]))  # the worker's voice is loaded before its first article
    piper = RawPiper(engine.model)
    piper.speak(["Warming up."])

    pipeline, raw, audio_s = [], [], 0.0
    for _ in range(args.runs):
        Narration.objects.filter(pk=narration.pk).update(status=Narration.Status.QUEUED)
        started = time.perf_counter()
        assert services.narration_make(article_id=article.pk, text_hash=narration.text_hash) == "ready"
        pipeline.append(time.perf_counter() - started)
        audio_s = Narration.objects.get(pk=narration.pk).duration_s
        raw.append(piper.speak(paragraphs))
    piper.close()
    engine.close()

    ours, theirs = statistics.median(pipeline), statistics.median(raw)
    result = {
        "words": words,
        "paragraphs": len(paragraphs),
        "audio_s": round(audio_s, 1),
        "pipeline_s": round(ours, 2),
        "raw_piper_s": round(theirs, 2),
        "rtf": round(audio_s / ours, 1),
        "raw_piper_rtf": round(audio_s / theirs, 1),
        "overhead_pct": round((ours / theirs - 1) * 100, 1),
        "runs": args.runs,
        "pipeline_runs_s": [round(value, 2) for value in pipeline],
        "raw_piper_runs_s": [round(value, 2) for value in raw],
    }
    print(f"article                {words} words, {len(paragraphs)} paragraphs, {audio_s:.1f} s of audio")
    print(f"pipeline               {ours:6.2f} s   real-time factor {result['rtf']:5.1f}×  (median of {args.runs})")
    print(f"Piper alone            {theirs:6.2f} s   real-time factor {result['raw_piper_rtf']:5.1f}×")
    print(f"pipeline over Piper    {result['overhead_pct']:+6.1f} %")
    print(json.dumps(result))


class RawPiper:
    """Piper's own program, loaded once, given lines on its standard input; nothing of Masthead around it."""

    def __init__(self, model: Path):
        self.folder = tempfile.mkdtemp(prefix="masthead-bench-piper-")
        command = [sys.executable, "-m", "piper", "--model", str(model), "--output-dir", self.folder]
        command += ["--sentence-silence", "0.25"]
        self.process = subprocess.Popen(  # noqa: S603
            command, stdin=subprocess.PIPE, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, bufsize=1
        )
        self.written = threading.Semaphore(0)
        threading.Thread(target=self._count, daemon=True).start()

    def _count(self) -> None:
        for line in self.process.stderr:
            if "Wrote " in line:
                Path(line.split("Wrote ", 1)[1].strip()).unlink(missing_ok=True)
                self.written.release()

    def speak(self, paragraphs: list[str]) -> float:
        started = time.perf_counter()
        self.process.stdin.write("".join(" ".join(paragraph.split()) + "\n" for paragraph in paragraphs))
        self.process.stdin.flush()
        for _ in paragraphs:
            self.written.acquire()
        return time.perf_counter() - started

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def _article(words: int):
    """A published article of about `words` words."""
    from django.utils import timezone
    from wagtail.rich_text import RichText

    from masthead.newsroom import services
    from masthead.newsroom.corpus import MONTHS, PLACES, SENTENCES, THINGS, WEEKDAYS
    from masthead.newsroom.models import ArticlePage

    rng = random.Random(2026)
    fill = {"place": "Rivertown", "weekday": "Tuesday", "thing": THINGS[0], "month": MONTHS[2], "number": 140}
    extra = [
        "The repairs began on Jan. 27 and cost $5 million, 12% more than planned.",
        "Gov. Olha Sampleton said the U.S. partners paid for half of it.",
    ]
    paragraphs, count = [], 0
    while count < words - 25:  # the headline and standfirst make up the rest
        fill = {**fill, "place": rng.choice(PLACES), "weekday": rng.choice(WEEKDAYS), "number": rng.randint(3, 900)}
        sentences = [sentence.format(**fill) for sentence in rng.sample(SENTENCES, 3)]
        if len(paragraphs) % 4 == 1:
            sentences.append(rng.choice(extra))
        paragraphs.append(" ".join(sentences))
        count += len(paragraphs[-1].split())
    year = services.archive_year_ensure(year=timezone.localdate().year)
    article = ArticlePage(
        title="The bridge in Rivertown reopens after two winters",
        slug="bench-narration",
        standfirst="Officials say the repairs are finished; residents want to know what they cost.",
        body=[("paragraph", RichText(f"<p>{text}</p>")) for text in paragraphs],
    )
    year.add_child(instance=article)
    article.save_revision().publish()
    return ArticlePage.objects.get(pk=article.pk)


def _body_texts(article) -> list[str]:
    from django.utils.html import strip_tags

    return [strip_tags(block.value.source) for block in article.body if block.block_type == "paragraph"]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
