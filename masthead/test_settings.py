"""The tests' overlay on the one settings module: fast hashing, tasks run at once, local HTTP."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "masthead-tests-only")
os.environ.setdefault("MASTHEAD_HTTPS", "0")
os.environ["MASTHEAD_TIME_ZONE"] = "Europe/Kyiv"  # the tests' expected times; a developer's zone must not leak in
os.environ.setdefault("MASTHEAD_MEDIA_ROOT", tempfile.mkdtemp(prefix="masthead-test-media-"))

from masthead.settings import *  # noqa: E402, F403

# One cache folder per test process (each pytest-xdist worker has its own database), shared with the worker
# processes a test starts (they inherit the environment).
_cache_dir = os.environ.setdefault("MASTHEAD_TEST_CACHE_DIR", tempfile.mkdtemp(prefix="masthead-test-cache-"))
_cache_dir = os.path.join(_cache_dir, os.environ.get("PYTEST_XDIST_WORKER", "main"))
for _name, _cache in CACHES.items():  # noqa: F405
    _cache.update(BACKEND="masthead.cache.FileCache", LOCATION=f"{_cache_dir}/{_name}")
MASTHEAD_LOCKS_DIR = f"{_cache_dir}/locks"
# Off unless a test turns it on (test_page_cache.py): most tests change data under the pages they fetch.
MASTHEAD_PAGE_CACHE = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Off unless a test turns it on (narration/tests): the real voice takes a second or two per article.
MASTHEAD_NARRATION = {**MASTHEAD_NARRATION, "ENABLED": False}  # noqa: F405
ANYMAIL = {"WEBHOOK_SECRET": "provider:test-webhook-secret"}  # the provider webhooks are on in tests
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_AUTOREFRESH = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    # A file, not memory, so the worker process started by the scheduling tests sees the same database.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"masthead-test-{os.getpid()}.sqlite3")}  # noqa: F405
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]  # noqa: F405 (Django's test client)
# Page views are written when a test calls analytics.ingest.tally.flush() (no writer thread beside the tests).
MASTHEAD_ANALYTICS_FLUSH_SECONDS = 0
# Off unless a test turns it on (members/tests/test_staff_sign_in.py): most admin tests sign in with a password.
MASTHEAD_STAFF_TWO_FACTOR = False
