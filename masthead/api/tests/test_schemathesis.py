"""schemathesis reads the Content API's OpenAPI description and tries each operation with values it generates
(valid and not): no answer is a server error, and every answer fits the description (status, content type,
body schema)."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from masthead.api.models import ContentApiKey
from masthead.api.openapi import document

KEY = "0123456789abcdef0123456789"


@pytest.fixture
def connections_kept():
    """The WSGI app runs in the test's thread, in the test's transaction: as Django's test client does, it must
    not close the database connection when a request ends."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_description(home, connections_kept):
    from masthead.newsroom.tests.factories import (
        AuthorFactory,
        StandardPageFactory,
        front_sections,
        publish,
        published_article,
    )

    war, _ = front_sections(home)
    story = published_article(title="Bridge opens", slug="bridge", section=war, authors=[AuthorFactory()])
    story.tags.add("News")
    publish(story)
    StandardPageFactory(parent=home, title="About", slug="about", body="<p>About us.</p>")
    ContentApiKey.objects.create(name="schemathesis", secret=KEY)
    config = SchemathesisConfig.from_dict({"auth": {"openapi": {"ContentApiKey": {"api_key": KEY}}}})
    return schemathesis.openapi.from_dict(document("http://testserver"), config=config)


schema = schemathesis.pytest.from_fixture("api_description")
APP = get_wsgi_application()
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_operation_answers_with_a_server_error(case):
    response = case.call(app=APP, headers={"Host": "testserver", "Accept-Encoding": "identity"})
    case.validate_response(response, checks=CHECKS)
