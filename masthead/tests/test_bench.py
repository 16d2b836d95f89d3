"""The benchmarks still run and end with one JSON line (their figures live in docs/benchmarks.md)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from masthead.tests.helpers import clean_environment

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def migrated_database() -> str:
    """The suite's migrated SQLite database (`migrated`): each benchmark's new newsroom starts as a copy of it."""
    from masthead.tests import migrated

    return str(migrated.sqlite_template())


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory, worker_id) -> Path:
    """One folder of newsrooms for every benchmark in the run, shared by the test processes: a newsroom of N stories
    is grown once (bench.pages._corpus locks it while it grows) and then served or copied by each benchmark."""
    base = tmp_path_factory.getbasetemp()
    folder = (base if worker_id == "master" else base.parent) / "bench-corpora"
    folder.mkdir(exist_ok=True)
    return folder


def run_benchmark(name: str, *arguments: str, migrated: str) -> dict:
    """Run `python -m bench.NAME` briefly; its figures, the JSON object on its last line."""
    result = subprocess.run(
        [sys.executable, "-m", f"bench.{name}", *arguments],
        cwd=REPOSITORY,
        env=clean_environment(MASTHEAD_BENCH_MIGRATED=migrated),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


# Each benchmark's smoke test is a group of its own, so that the two test processes share them (the longest,
# bench.pages, takes two minutes).
@pytest.mark.xdist_group("bench.page_render")
def test_page_render_benchmark_runs(migrated_database):
    figures = run_benchmark("page_render", "--requests", "2", "--articles", "3", migrated=migrated_database)
    assert set(figures["pages"]) == {"reference: about", "article", "home", "section", "news feed", "tag"}
    assert all(0 <= page["queries"] <= 5 and page["p50_ms"] > 0 for page in figures["pages"].values())
    assert figures["pages"]["article"]["queries"] == 0, "an article's page is served from its kept pieces"


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("wrk", "varnishd", "nginx")),
    reason="bench.pages needs wrk, Varnish and nginx (Debian packages; .ci/run installs them)",
)
@pytest.mark.xdist_group("bench.pages")
def test_pages_benchmark_runs(corpus_dir, migrated_database):
    figures = run_benchmark(
        "pages",
        "--articles",
        "50",
        "--reference",
        "44",
        "--corpus-dir",
        str(corpus_dir),
        "--pictures",
        "2",  # drawing 24 and their renditions would take most of a minute
        "--duration",
        "1",
        "--connections",
        "1",  # one connection keeps the app to one core: the other tests go on beside it
        "--rounds",
        "1",
        migrated=migrated_database,
    )
    for key in ("front_cache_vs_static", "cache_vs_floor", "article_cold_rps", "article_cold_cpu_ms"):
        assert figures[key] > 0, key
    assert figures["article_queries"] <= 2 and 0 < figures["article_weight_kb"] < 50
    assert not any(measurement["errors"] for measurement in figures["results"].values())
    assert figures["reference_articles"] == 44 and set(figures["cold_vs_reference"]) == {"article", "home", "section"}
    assert figures["section_deep_vs_first"] > 0


@pytest.mark.skipif(
    not Path("/usr/sbin/smtp-sink").exists(), reason="bench.newsletter needs Postfix's smtp-sink (.ci/run installs it)"
)
@pytest.mark.xdist_group("bench.newsletter")
def test_newsletter_benchmark_runs(migrated_database):
    figures = run_benchmark(
        "newsletter", "--subscribers", "300", "--ceiling-messages", "200", migrated=migrated_database
    )
    assert figures["subscribers"] == 300 and figures["delivery_states"] == {"sent": 300}
    assert (figures["duplicates"], figures["missing"], figures["unexpected"]) == (0, 0, 0)
    for key in ("emails_per_s", "sink_ceiling_per_s", "peak_rss_mb"):
        assert figures[key] > 0, key


@pytest.mark.xdist_group("bench.narration")
def test_narration_benchmark_runs(migrated_database):
    figures = run_benchmark("narration", "--words", "60", "--runs", "1", migrated=migrated_database)
    assert 40 <= figures["words"] <= 120 and figures["audio_s"] > 5
    for key in ("rtf", "raw_piper_rtf"):
        assert figures[key] > 1, key
    assert "overhead_pct" in figures


@pytest.mark.skipif(not shutil.which("wrk"), reason="bench.analytics needs wrk (a Debian package; .ci/run installs it)")
@pytest.mark.xdist_group("bench.analytics")
def test_analytics_benchmark_runs(corpus_dir, migrated_database):
    figures = run_benchmark(
        "analytics",
        *("--articles", "44", "--corpus-dir", str(corpus_dir), "--duration", "1", "--rounds", "1"),
        *("--connections", "2", "--views", "20000", "--stories", "300", "--query-rounds", "2", "--postgres", ""),
        migrated=migrated_database,
    )
    assert figures["accepted"] > 0 and figures["counted"] == figures["accepted"] and figures["non_2xx"] == 0
    assert figures["accepted_per_s"] > 0 and figures["empty_endpoint_per_s"] > 0
    assert figures["sqlite_dashboard"]["views"] == 20000 and figures["dashboard_p95_ms"] > 0


@pytest.mark.skipif(not Path("/usr/sbin/smtp-sink").exists(), reason="bench.soak mails Postfix's smtp-sink")
@pytest.mark.xdist_group("bench.soak")
def test_soak_benchmark_runs_and_keeps_every_write_once(corpus_dir, migrated_database):
    figures = run_benchmark(
        "soak",
        "--minutes",
        "0.25",
        "--articles",
        "44",
        "--corpus-dir",
        str(corpus_dir),
        "--readers",
        "2",
        "--members",
        "1",
        "--subscribers",
        "1",
        "--publish-every",
        "3",
        migrated=migrated_database,
    )
    assert figures["requests"] > 20
    assert figures["errors_5xx"] == figures["lost_writes"] == figures["duplicated_writes"] == 0
    assert all(kind["accepted"] > 0 for kind in figures["kept"].values()), figures["kept"]
