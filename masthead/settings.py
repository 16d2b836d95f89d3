"""Masthead's one settings module: everything that varies comes from the environment.

Development gets working defaults; a production deployment (DEBUG off) must set SECRET_KEY
and MASTHEAD_BASE_URL, or the app refuses to start.
"""

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR / "masthead"
VAR_DIR = Path(os.environ.get("MASTHEAD_VAR_DIR", BASE_DIR / "var"))

INSECURE_SECRET_KEY = "masthead-development-only-insecure-key"  # noqa: S105 (refused unless DEBUG)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def email_settings(url: str) -> dict:
    """Translate EMAIL_URL (smtp://user:pass@host:port?tls=1, smtps://…, anymail://<provider>, console:,
    memory:) to settings. A provider's own settings come from ANYMAIL_<NAME> variables (see ANYMAIL below)."""
    parts = urlsplit(url)
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "memory": "django.core.mail.backends.locmem.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
        "smtp": "masthead.mail.EmailBackend",
        "smtps": "masthead.mail.EmailBackend",
    }
    if parts.scheme == "anymail":
        provider = parts.hostname or ""
        if not re.fullmatch(r"[a-z0-9_]+", provider):
            raise ImproperlyConfigured("EMAIL_URL anymail://<provider> names a django-anymail backend, e.g. mailgun")
        return {"EMAIL_BACKEND": f"anymail.backends.{provider}.EmailBackend"}
    if parts.scheme not in backends:
        raise ImproperlyConfigured(f"EMAIL_URL scheme {parts.scheme!r} is not one of {sorted(backends)}")
    result = {"EMAIL_BACKEND": backends[parts.scheme]}
    if parts.scheme in {"smtp", "smtps"}:
        result.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or (465 if parts.scheme == "smtps" else 25),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps",
            EMAIL_USE_TLS=options.get("tls", "0").lower() in {"1", "true", "yes"},
        )
    return result


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_SECRET_KEY)
if not DEBUG and SECRET_KEY == INSECURE_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is not set. Set it in the environment (or DEBUG=1 for development).")

BASE_URL = os.environ.get("MASTHEAD_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = BASE_URL
_base_host = urlsplit(BASE_URL).hostname or "127.0.0.1"
# Production answers only to its public address; development also to the loopback names.
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", list(dict.fromkeys([_base_host, "127.0.0.1", "localhost"] if DEBUG else [_base_host]))
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [BASE_URL])

INSTALLED_APPS = [
    "masthead.members",
    "masthead.comments",
    "masthead.newsroom",
    "masthead.newsletters",
    "masthead.narration",
    "masthead.discovery",
    "masthead.api",
    "masthead.analytics",
    "masthead.operations",
    "anymail",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    # Content-Security-Policy and Permissions-Policy on every response, cached pages too (masthead/security.py).
    "masthead.security.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "masthead.security.NulRefusedMiddleware",
    # Anonymous readers' pages from the page cache, before everything below (see masthead/http_cache.py).
    "masthead.http_cache.PageCacheMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "masthead.middleware.TextCompressionMiddleware",
    # An ETag from the page's bytes, and 304 Not Modified when the client has them (weakened by compression).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "masthead.members.staff.StaffTwoFactorMiddleware",
    "masthead.http_cache.SignedInCookieMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Turns a locked-out sign-in into its 429 answer (masthead/members/staff.py); last, around the views only.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "masthead.urls"
WSGI_APPLICATION = "masthead.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "masthead.newsroom.context_processors.newsroom",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'masthead.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are kept as on PostgreSQL (opening one and setting its pragmas cost about a millisecond of CPU
    # on every request otherwise).
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while the worker writes; IMMEDIATE avoids "database is locked"
        # on lock upgrades, and the timeout rides out a busy writer.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches every process shares (the web workers, the task worker, the admin): Redis when REDIS_URL is set,
# otherwise files under var/cache. "pages" holds whole public pages (masthead/http_cache.py) and nothing else,
# so that it can be cleared on its own.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Pages in a database of their own (the next number, or REDIS_PAGES_URL): clearing them flushes that one.
    _redis = urlsplit(REDIS_URL)
    _pages_db = int(_redis.path.strip("/") or 0) + 1
    REDIS_PAGES_URL = os.environ.get("REDIS_PAGES_URL") or _redis._replace(path=f"/{_pages_db}").geturl()
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "pages": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_PAGES_URL},
    }
else:
    CACHES = {
        name: {
            "BACKEND": "masthead.cache.FileCache",  # Django's, counting atomically (masthead/cache.py)
            "LOCATION": str(VAR_DIR / "cache" / name),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
        for name in ("default", "pages")
    }
# Public pages: how long shared caches (and the page cache) keep a page between purges, how long a stale copy
# may be served while a fresh one is made, and how long when the app is down. Purges make changes to a page
# show at once; the expiry bounds how old the rails on other pages (News Feed, Editors' Picks) can be.
# In development (DEBUG) both are off by default, so that an edited template shows at once.
MASTHEAD_PAGE_CACHE = env_bool("MASTHEAD_PAGE_CACHE", not DEBUG)
# The rendered pieces kept per `pages_version` (cards, rails, layout pieces, articles' published content).
MASTHEAD_FRAGMENT_CACHE = env_bool("MASTHEAD_FRAGMENT_CACHE", not DEBUG)
# Locks between processes on this machine when there is no Redis (masthead/locks.py).
MASTHEAD_LOCKS_DIR = VAR_DIR / "locks"
# Front caches purged when a page changes (wagtail.contrib.frontend_cache backends): Varnish or nginx by HTTP
# PURGE to MASTHEAD_PURGE_URL, Cloudflare with its zone and an API token. See docs/deploy.md.
WAGTAILFRONTENDCACHE = {}
if os.environ.get("MASTHEAD_PURGE_URL"):
    WAGTAILFRONTENDCACHE["http"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": os.environ["MASTHEAD_PURGE_URL"],
    }
if os.environ.get("CLOUDFLARE_ZONE_ID"):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": os.environ["CLOUDFLARE_ZONE_ID"],
        "BEARER_TOKEN": os.environ["CLOUDFLARE_API_TOKEN"],
    }
MASTHEAD_CACHE_SECONDS = int(os.environ.get("MASTHEAD_CACHE_SECONDS", "300"))
MASTHEAD_CACHE_STALE_SECONDS = int(os.environ.get("MASTHEAD_CACHE_STALE_SECONDS", "30"))
MASTHEAD_CACHE_STALE_IF_ERROR_SECONDS = int(os.environ.get("MASTHEAD_CACHE_STALE_IF_ERROR_SECONDS", "86400"))

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A task still RUNNING this long after a worker claimed it is taken to be orphaned (its worker died) and is run
# again by the next worker; every task is written to be safe to run twice.
MASTHEAD_TASK_LEASE_SECONDS = int(os.environ.get("MASTHEAD_TASK_LEASE_SECONDS", "900"))
# A task waiting longer than this means the worker is behind or stopped (/readyz and the admin's dashboard say so).
MASTHEAD_QUEUE_BEHIND_SECONDS = int(os.environ.get("MASTHEAD_QUEUE_BEHIND_SECONDS", "300"))

globals().update(email_settings(os.environ.get("EMAIL_URL", "console:")))
# A stalled mail server must not hold a worker (or anything else) for long.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
# Bounce and complaint webhooks from the email provider (django-anymail: /anymail/<provider>/tracking/), on
# only with a secret ("user:password", the HTTP basic auth the provider is given).
# The provider's settings (EMAIL_URL=anymail://mailgun) from the environment: ANYMAIL_MAILGUN_API_KEY=… becomes
# ANYMAIL["MAILGUN_API_KEY"].
ANYMAIL = {name.removeprefix("ANYMAIL_"): value for name, value in os.environ.items() if name.startswith("ANYMAIL_")}
ANYMAIL["WEBHOOK_SECRET"] = os.environ.get("ANYMAIL_WEBHOOK_SECRET", "")
# Articles read aloud when published (masthead/narration): the site's voice, `engine:voice` (`piper:` is the
# shipped en_US-joe-medium, the narration extra; `piper:/path/voice.onnx`, `espeak-ng:uk`, `http:alloy`).
MASTHEAD_NARRATION = {
    "ENABLED": env_bool("MASTHEAD_NARRATION", True),
    "VOICE": os.environ.get("MASTHEAD_NARRATION_VOICE", "piper:"),
}
# A cloud speech API of the common `POST /v1/audio/speech` shape, for voices written `http:<voice>`.
MASTHEAD_NARRATION_HTTP = {
    "URL": os.environ.get("MASTHEAD_NARRATION_HTTP_URL", ""),
    "KEY": os.environ.get("MASTHEAD_NARRATION_HTTP_KEY", ""),
    "MODEL": os.environ.get("MASTHEAD_NARRATION_HTTP_MODEL", "tts-1"),
    "VOICE": os.environ.get("MASTHEAD_NARRATION_HTTP_VOICE", "alloy"),
    "SAMPLE_RATE": int(os.environ.get("MASTHEAD_NARRATION_HTTP_SAMPLE_RATE", "24000")),
}
# How many sending tasks share one issue (each needs a worker process to run in).
MASTHEAD_NEWSLETTER_SENDERS = int(os.environ.get("MASTHEAD_NEWSLETTER_SENDERS", "2"))
# On PostgreSQL, whether each delivery's "sent" mark waits for the disk before its message goes (on). Off, the
# marks are written some 0.6 s later: sending is faster, and a crash of PostgreSQL itself (not of a worker)
# forgets the last marks, so those recipients would get the issue twice. SQLite is unaffected.
MASTHEAD_NEWSLETTER_SYNCHRONOUS_COMMIT = env_bool("MASTHEAD_NEWSLETTER_SYNCHRONOUS_COMMIT", True)
# Count opens (a picture in the email) and clicks (links through the site) per issue. Off: nothing is counted.
MASTHEAD_NEWSLETTER_TRACKING = env_bool("MASTHEAD_NEWSLETTER_TRACKING", False)
# How long a newsletter confirmation link works.
MASTHEAD_NEWSLETTER_CONFIRM_DAYS = int(os.environ.get("MASTHEAD_NEWSLETTER_CONFIRM_DAYS", "7"))
# The Content API (/ghost/api/content/): whether `limit=all` returns every row, as Ghost 5 (on), or at most 100,
# as Ghost 6 (off; numbers above 100 are always cut to 100).
# Page views (masthead/analytics): how often each web process writes the views it gathered (a crash loses at
# most that many seconds of them), how long hourly counts are kept (daily ones are kept for ever), how many
# beacons one reader may send a minute, and how often "Most popular" is worked out again.
MASTHEAD_ANALYTICS_FLUSH_SECONDS = float(os.environ.get("MASTHEAD_ANALYTICS_FLUSH_SECONDS", "2"))
MASTHEAD_ANALYTICS_HOURLY_DAYS = int(os.environ.get("MASTHEAD_ANALYTICS_HOURLY_DAYS", "14"))
MASTHEAD_ANALYTICS_BEACONS_PER_MINUTE = int(os.environ.get("MASTHEAD_ANALYTICS_BEACONS_PER_MINUTE", "120"))
MASTHEAD_POPULAR_SECONDS = int(os.environ.get("MASTHEAD_POPULAR_SECONDS", "180"))
MASTHEAD_CONTENT_API_LIMIT_ALL = env_bool("MASTHEAD_CONTENT_API_LIMIT_ALL", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Masthead <newsroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

AUTH_USER_MODEL = "members.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Only staff have passwords (members sign in by emailed code): long ones.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Members (readers with an account) sign in with a code emailed to them, through django-allauth: no password.
# Staff sign in to the admin with their password, at /admin/login/ (masthead/members/README.md).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a locked-out account and client is refused before anything
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Staff sign-in hardening (masthead/members/staff.py): lock-out, tries per client, two-factor codes.
MASTHEAD_STAFF_LOCKOUT_TRIES = int(os.environ.get("MASTHEAD_STAFF_LOCKOUT_TRIES", "5"))
MASTHEAD_STAFF_LOCKOUT_MINUTES = int(os.environ.get("MASTHEAD_STAFF_LOCKOUT_MINUTES", "15"))
MASTHEAD_STAFF_LOGIN_TRIES = int(os.environ.get("MASTHEAD_STAFF_LOGIN_TRIES", "30"))
MASTHEAD_STAFF_TWO_FACTOR = env_bool("MASTHEAD_STAFF_TWO_FACTOR", not DEBUG)
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"  # counts in the shared cache: no addresses in the database
AXES_FAILURE_LIMIT = MASTHEAD_STAFF_LOCKOUT_TRIES
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "masthead.members.staff.lockout_cooloff"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "masthead.members.staff.locked_out"
AXES_CLIENT_IP_CALLABLE = "masthead.ratelimit.client_address"
AXES_VERBOSE = False  # its log lines carry the client's address
AXES_ENABLE_ADMIN = False
WAGTAILADMIN_USER_LOGIN_FORM = "masthead.members.staff.StaffLoginForm"
OTP_TOTP_ISSUER = os.environ.get("MASTHEAD_SITE_NAME", "Masthead")
# Sign-in and sign-up emails (codes, invitations) one client may ask for in ten minutes, whatever the addresses.
MASTHEAD_MEMBER_CODE_REQUESTS = int(os.environ.get("MASTHEAD_MEMBER_CODE_REQUESTS", "10"))
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "members:account"
ACCOUNT_ADAPTER = "masthead.members.adapter.MemberAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "masthead.members.forms.SignupForm"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True  # one address per member; a new one replaces it once its emailed code is entered
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 5
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env_bool("MASTHEAD_HTTPS", not DEBUG) else "http"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("MASTHEAD_TIME_ZONE", "Europe/Kyiv")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("MASTHEAD_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MASTHEAD_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Always a hashed manifest, so files collected in development (`make run`) serve in production too (with
    # DEBUG on, Django links the unhashed names and whitenoise finds them in the source folders). Production
    # also precompresses them (gzip and brotli, which takes a few seconds more).
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
# Files browsers and crawlers ask for at the site's root (/favicon.ico) are static files, not Django 404s.
WHITENOISE_ROOT = PROJECT_DIR / "public"
# Media is served by the app itself unless a front server or object storage takes it over.
MASTHEAD_SERVE_MEDIA = env_bool("MASTHEAD_SERVE_MEDIA", True)

# HTTPS hardening: on by default in production, off for local HTTP.
HTTPS = env_bool("MASTHEAD_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# Health probes from a load balancer often come over plain HTTP behind the TLS terminator: answered, not redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# X-Forwarded-Proto is trusted only when a proxy in front sets it (a client could forge it otherwise).
BEHIND_PROXY = env_bool("MASTHEAD_BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"  # Wagtail marks its own preview views SAMEORIGIN
SESSION_COOKIE_HTTPONLY = True

# Error reports (masthead/operations/errors.py): emailed to MASTHEAD_ADMINS ("Name <a@b>, c@d") by the worker, at
# most once per kind of error per MASTHEAD_ERROR_REPORT_SECONDS, and/or sent to a Sentry-compatible service.
ADMINS = [
    (address.split("<")[0].strip() or address, address.split("<")[-1].rstrip(">").strip())
    for address in env_list("MASTHEAD_ADMINS", [])
]
MASTHEAD_ERROR_REPORT_SECONDS = int(os.environ.get("MASTHEAD_ERROR_REPORT_SECONDS", "600"))
MASTHEAD_SENTRY_DSN = os.environ.get("MASTHEAD_SENTRY_DSN", "")
MASTHEAD_SENTRY_ENVIRONMENT = os.environ.get("MASTHEAD_SENTRY_ENVIRONMENT", "production")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "admins": {"class": "masthead.operations.errors.AdminEmailHandler", "level": "ERROR"},
    },
    "root": {"handlers": ["console", "admins"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "wagtail": {"level": "WARNING"}},
}

# Wagtail
WAGTAIL_SITE_NAME = os.environ.get("MASTHEAD_SITE_NAME", "Masthead")
# No avatars from Gravatar in the admin: they would send a hash of each staff member's email to a third party
# (and show broken pictures offline). Wagtail's own initials avatar is used instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# "kyiv" typed in the editor is the tag "Kyiv", not a new tag "kyiv_1" with its own page.
TAGGIT_CASE_INSENSITIVE = True
WAGTAILIMAGES_IMAGE_MODEL = "newsroom.NewsroomImage"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# A 45-megapixel news camera fits; decoding more costs hundreds of MB per picture (a decompression bomb).
WAGTAILIMAGES_MAX_IMAGE_PIXELS = int(os.environ.get("MASTHEAD_IMAGE_MAX_PIXELS", 50_000_000))
WAGTAILIMAGES_IMAGE_FORM_BASE = "masthead.newsroom.forms.NewsroomImageForm"
# Documents only through Wagtail's view, which checks the collection's privacy; never as plain media files.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "masthead.search"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Newsroom
MASTHEAD_OPINION_MAX_CHARS = int(os.environ.get("MASTHEAD_OPINION_MAX_CHARS", "20000"))
# Opinion-form submissions one client may send an hour (then 429 with Retry-After).
MASTHEAD_OPINION_SUBMISSIONS = int(os.environ.get("MASTHEAD_OPINION_SUBMISSIONS", "5"))
MASTHEAD_EDITORS_EMAIL = env_list("MASTHEAD_EDITORS_EMAIL", ["editors@localhost"])
MASTHEAD_WORDS_PER_MINUTE = 220
MASTHEAD_EMBED_PROVIDERS = env_list(
    "MASTHEAD_EMBED_PROVIDERS",
    ["youtube.com", "youtu.be", "vimeo.com", "soundcloud.com", "x.com", "twitter.com", "flickr.com"],
)
