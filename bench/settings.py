"""The benchmarks' settings: the project's own, plus the framework's floor (bench/urls.py)."""

from masthead.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The benchmarks sign their editors in directly (Client.force_login), without the two-factor code.
MASTHEAD_STAFF_TWO_FACTOR = False
