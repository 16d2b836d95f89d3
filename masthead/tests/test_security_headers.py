"""Every answer carries the Content-Security-Policy and Permissions-Policy (masthead/security.py): one fixed
policy with no inline script for the public pages, and in the admin a new nonce per request that every inline
script of Wagtail's carries. Production mode adds HTTPS redirects, HSTS and secure cookies."""

import re

from masthead.tests.helpers import clean_environment, run_masthead
from masthead.tests.test_settings import PRODUCTION


def test_public_pages_allow_only_the_sites_own_scripts(client, home):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
    assert directives["script-src"] == "'self' 'report-sample'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'" and directives["form-action"] == "'self'"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/ld+json"' in attributes for attributes in inline), inline
    assert response["X-Frame-Options"] == "DENY" and response["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_other_answers_carry_the_policy_too(client, home):
    for path in ("/no-such-page/", "/feeds/rss/", "/healthz", "/robots.txt"):
        assert "script-src 'self'" in client.get(path)["Content-Security-Policy"], path


def test_the_admin_gets_a_new_nonce_each_request_on_every_inline_script(admin_client, home):
    nonces = set()
    for _ in range(2):
        response = admin_client.get(f"/admin/pages/{home.pk}/edit/")
        policy = response["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        nonces.add(nonce)
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", response.content.decode())
        executable = [a for a in scripts if "application/json" not in a and "text/template" not in a]
        assert executable and all(f'nonce="{nonce}"' in a for a in executable), executable[:3]
    assert len(nonces) == 2


PROBE = """
from django.conf import settings
from django.test import Client
plain = Client().get("/about/", HTTP_HOST="news.example.org")
secure = Client().get("/healthz", HTTP_HOST="news.example.org", secure=True)
probe = Client().get("/healthz", HTTP_HOST="news.example.org")
print(plain.status_code, plain["Location"], probe.status_code)
print(secure["Strict-Transport-Security"])
print("upgrade-insecure-requests" in secure["Content-Security-Policy"])
print(settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY, settings.CSRF_COOKIE_SECURE)
print(settings.MASTHEAD_STAFF_TWO_FACTOR, settings.AXES_FAILURE_LIMIT)
"""


def test_production_mode_redirects_to_https_with_hsts_and_secure_cookies(tmp_path):
    result = run_masthead(
        "shell", "-c", PROBE, env=clean_environment(**PRODUCTION, MASTHEAD_VAR_DIR=str(tmp_path)), timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()[-5:]
    assert lines[0] == "301 https://news.example.org/about/ 200"  # a load balancer's plain-HTTP probe is answered
    assert lines[1] == "max-age=31536000; includeSubDomains; preload"
    assert lines[2] == "True"
    assert lines[3] == "True True True"
    assert lines[4] == "True 5"


def test_a_nul_character_anywhere_is_refused_before_any_view(client, home):
    for path, data in [("/tag/a%00b/", {}), ("/search/", {"q": "a\x00b"})]:
        response = client.get(path, data)
        assert response.status_code == 400 and b"NUL character" in response.content, path
    repeated = client.get("/search/?q=a%00b&q=fine")  # a parameter given twice: every value is looked at
    assert repeated.status_code == 400
    refused = client.post("/newsletters/subscribe/", {"email": "a\x00@example.org"})
    assert refused.status_code == 400
