"""Hostile input against every public URL the URL configuration has, found from it: a new endpoint is covered
without anyone remembering to add it here.

For each route (and each live Wagtail page): its path parameters, every query parameter its page shows (GET
forms, links) and all of them at once, every field of every form the page holds, and generic and JSON bodies
posted to it, with the shared corpus (masthead/tests/hostile.py: every value into all the query parameters at once,
one of each kind into each form field, the nastiest into each parameter alone), as a reader, and as a signed-in member
where the answers differ for one (the members' pages, comments, newsletters).
Every answer must be below 500, never echo the input as markup, never inject a header; a rejected request
(4xx) and any GET must write nothing to the database.
"""

import re
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from masthead.tests import hostile

# Not public: the admin (staff only, behind sign-in) and the bench-only URLs.
PRIVATE_PREFIXES = ("admin/",)


def public_routes() -> list[tuple[str, str | None, object]]:
    """(route text, name, pattern) for every URL pattern but the private ones, in URL configuration order."""
    found = []

    def walk(patterns, prefix: str):
        for pattern in patterns:
            text = prefix + str(pattern.pattern).removeprefix("^").removesuffix("$")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern).removeprefix("^"))
            elif isinstance(pattern, URLPattern) and not text.startswith(PRIVATE_PREFIXES):
                found.append((text.replace("^", ""), pattern.name, pattern))

    walk(get_resolver().url_patterns, "")
    unique = {}
    for text, name, pattern in found:
        unique.setdefault(text, (text, name, pattern))
    return list(unique.values())


ROUTES = public_routes()
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)|\((?!\?)[^)]*\)")


def fill(route: str, values: dict, default: str) -> str:
    """The route's text with each parameter replaced (by `values[name]` or `default`), as a path."""

    def one(match):
        name = match.group(2) or match.group(3) or ""
        return str(values.get(name, default))

    path = PARAMETER.sub(one, route)
    path = path.replace("(.*)", default).replace("\\", "")
    return "/" + path.lstrip("/")


@pytest.fixture(scope="module")
def newsroom(django_db_setup, django_db_blocker):
    """A small newsroom committed for the module (removed afterwards), and the values its routes take."""
    from masthead.tests.helpers import database_restored

    with django_db_blocker.unblock(), database_restored():
        yield newsroom_build()


def newsroom_build() -> dict:
    from masthead.api.models import ContentApiKey
    from masthead.comments.models import Comment
    from masthead.comments.tests.factories import member
    from masthead.newsletters.models import Newsletter, Subscriber, Subscription
    from masthead.newsletters.services import confirmation_token, preferences_token, unsubscribe_token
    from masthead.newsroom.models import OpinionFormField, OpinionFormPage, TeamPage
    from masthead.newsroom.services import site_structure_ensure
    from masthead.newsroom.tests.factories import (
        AuthorFactory,
        NewsFeedPageFactory,
        SectionPageFactory,
        published_article,
    )

    home = site_structure_ensure(site_name="Hostile Newsroom", hostname="testserver")
    NewsFeedPageFactory(parent=home)
    home.add_child(instance=TeamPage(title="Team", slug="team"))
    section = SectionPageFactory(parent=home, title="War", slug="war")
    author = AuthorFactory(name="Anna Writer", slug="anna")
    article = published_article(title="The story", slug="the-story", section=section, authors=[author])
    article.tags.add("Kyiv")
    article.save_revision().publish()
    form = home.add_child(instance=OpinionFormPage(title="Opinion", slug="opinion", to_address="ed@example.org"))
    OpinionFormField.objects.create(page=form, label="Your name", field_type="singleline", required=True)
    OpinionFormField.objects.create(page=form, label="Email", field_type="email", required=True)
    OpinionFormField.objects.create(page=form, label="Your piece", field_type="multiline", required=True)
    newsletter = Newsletter.objects.create(name="Morning Briefing", slug="morning", description="The day.")
    subscriber = Subscriber.objects.create(email="reader@example.org")
    subscription = Subscription.objects.create(
        subscriber=subscriber, newsletter=newsletter, requested_at=timezone.now()
    )
    reader = member("Olena")
    comment = Comment.objects.create(article=article, member=reader, body="A first comment.")
    return {
        "member": reader,
        "values": {
            "slug": "kyiv",
            "article_id": article.pk,
            "comment_id": comment.pk,
            "number": 1,
            "resource_name": "posts",
            "id": article.pk,
            "token": confirmation_token(subscriber=subscriber),
            "preferences": preferences_token(subscriber=subscriber),
            "unsubscribe": unsubscribe_token(subscription=subscription),
            "restriction_id": 1,
            "page_view_restriction_id": 1,
            "page_id": article.pk,
            "path": "missing.jpg",
            "rest": "nothing/",
        },
        "api_key": ContentApiKey.objects.create(name="Hostile").secret,
        "pages": [page.url for page in home.get_descendants(inclusive=True).live().specific()],
    }


class Writes:
    """The data-changing SQL statements run while it is active, but for the expected ones."""

    CHANGES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.I)
    # A Content API key's day of last use (api/services.key_used: once a key a day, whatever the answer).
    EXPECTED = re.compile(r'^UPDATE "api_contentapikey" SET "last_used_on"')

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        if self.CHANGES.match(sql) and not self.EXPECTED.match(sql):
            self.statements.append(sql[:160])
        return execute(sql, params, many, context)


def answer(client, method: str, path: str, **kwargs):
    writes = Writes()
    with connection.execute_wrapper(writes):
        response = getattr(client, method)(path, **kwargs)
    return response, writes.statements


def check(response, writes: list[str], what: str, *, method: str) -> None:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    for name, value in response.items():
        assert "\r" not in value and "\n" not in value, f"{what}: header {name} carries a line break"
    assert "hostile" not in response.cookies, f"{what}: a cookie was injected"
    if "html" in response.get("Content-Type", "") and not response.streaming:
        body = response.content.decode("utf-8", "replace")
        for marker in hostile.ECHO_MARKERS:
            assert marker not in body, f"{what}: the input came back as markup"
    if response.status_code >= 400 or method == "get":
        assert writes == [], f"{what} ({response.status_code}) wrote to the database: {writes}"


def page_surfaces(response) -> tuple[set[str], list[dict]]:
    """The query parameters a page shows (GET forms' fields, its links' query keys) and its POST forms."""
    soup = BeautifulSoup(response.content, "html.parser")
    parameters, forms = set(), []
    for link in soup.select("a[href*='?']"):
        href = link["href"]
        if urlsplit(href).netloc in ("", "testserver"):
            parameters.update(key for key, _ in parse_qsl(urlsplit(href).query, keep_blank_values=True))
    for form in soup.select("form"):
        fields = {}
        for field in form.select("input[name], textarea[name], select[name]"):
            if field.get("type") in ("submit", "button", "image", "file"):
                continue
            value = field.get("value", "")
            if field.name == "select":
                option = field.select_one("option[value]")
                value = option["value"] if option else ""
            if field.get("type") in ("checkbox", "radio") and not field.has_attr("checked"):
                value = field.get("value", "on")
            fields[field["name"]] = value
        if form.get("method", "get").lower() == "post":
            action = form.get("action") or response.wsgi_request.path
            if urlsplit(action).netloc in ("", "testserver"):
                forms.append({"action": action, "fields": fields})
        else:
            parameters.update(fields)
    parameters.discard("csrfmiddlewaretoken")
    return parameters, forms


# Routes whose answers differ for a signed-in member: attacked again as one.
MEMBER_PREFIXES = ("account/", "comments/", "newsletters/", "_visitor/")
GENERIC_FIELDS = ("email", "text", "c", "newsletters", "name", "q", "code", "login", "body", "action", "reason")


def attack(client, path: str, who: str, api_key: str = "") -> int:
    """Everything against one address; returns how many requests were made."""
    made = 0
    extra = {"key": api_key} if api_key and path.startswith("/ghost/") else {}
    first, writes = answer(client, "get", path, data=extra)
    check(first, writes, f"{who} GET {path}", method="get")
    made += 1
    parameters, forms = set(), []
    if first.status_code == 200 and "html" in first.get("Content-Type", ""):
        parameters, forms = page_surfaces(first)
    parameters |= {"page", "q", "fragment"}
    for value in hostile.VALUES:  # every parameter at once
        response, writes = answer(client, "get", path, data={**dict.fromkeys(parameters, value), **extra})
        check(response, writes, f"{who} GET {path} all parameters={value[:40]!r}", method="get")
        made += 1
    for name in sorted(parameters):
        for value in hostile.SHORT:
            response, writes = answer(client, "get", path, data={name: value, **extra})
            check(response, writes, f"{who} GET {path}?{name}={value[:40]!r}", method="get")
            made += 1
    for form in forms:
        for name in form["fields"]:
            if name == "csrfmiddlewaretoken":
                continue
            for value in hostile.MEDIUM:
                data = {**form["fields"], name: value}
                response, writes = answer(client, "post", form["action"], data=data)
                check(response, writes, f"{who} POST {form['action']} {name}={value[:40]!r}", method="post")
                made += 1
    for value in hostile.SHORT:
        response, writes = answer(client, "post", path, data=dict.fromkeys(GENERIC_FIELDS, value))
        check(response, writes, f"{who} POST {path} form={value[:40]!r}", method="post")
        made += 1
    for body in hostile.JSON_BODIES:
        response, writes = answer(client, "post", path, data=body, content_type="application/json")
        check(response, writes, f"{who} POST {path} JSON {body[:40]!r}", method="post")
        made += 1
    return made


pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("hostile-everywhere")]


@pytest.mark.parametrize("route", ROUTES, ids=[text or "/" for text, _, _ in ROUTES])
def test_hostile_input_to_every_route(route, newsroom, client):
    text, name, _ = route
    values = dict(newsroom["values"])
    if name == "preferences":
        values["token"] = values["preferences"]
    elif name in ("unsubscribe", "opened", "clicked"):
        values["token"] = values["unsubscribe"]
    paths = newsroom["pages"] if name == "wagtail_serve" else [fill(text, values, "1")]
    made = 0
    for path in paths:
        made += attack(client, path, "reader", newsroom["api_key"])
    if text.startswith(MEMBER_PREFIXES):  # what differs for a signed-in member (public pages are the same bytes)
        client.force_login(newsroom["member"])
        for path in paths:
            made += attack(client, path, "member", newsroom["api_key"])
    # The path's own parameters, each hostile value in each place.
    if PARAMETER.search(text):
        for value in hostile.SHORT + ["..", "%2e%2e%2f", "1" * 30]:
            hostile_segment = quote(value, safe="")
            path = f"/{hostile_segment}/" if name == "wagtail_serve" else fill(text, {}, hostile_segment)
            response, writes = answer(client, "get", path)
            check(response, writes, f"GET {path[:80]}", method="get")
            made += 1
    assert made > 10
