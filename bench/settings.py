"""The benchmarks' settings: the project's own, plus the framework's floor (bench/urls.py)."""

from masthead.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
