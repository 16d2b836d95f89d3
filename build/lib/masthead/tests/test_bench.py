"""The benchmarks still run and end with one JSON line (their figures live in docs/benchmarks.md)."""

import json
import subprocess
import sys
from pathlib import Path

from masthead.tests.helpers import clean_environment

REPOSITORY = Path(__file__).resolve().parents[2]


def test_page_render_benchmark_runs():
    result = subprocess.run(
        [sys.executable, "-m", "bench.page_render", "--requests", "2", "--articles", "3"],
        cwd=REPOSITORY,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(figures["pages"]) == {"reference: about", "article", "home", "section", "news feed", "tag"}
    assert all(page["queries"] > 0 and page["p50_ms"] > 0 for page in figures["pages"].values())
