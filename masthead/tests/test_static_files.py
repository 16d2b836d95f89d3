"""Files served without Django's page machinery: the favicon at the site's root, the icon the pages link."""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext


@pytest.mark.django_db
def test_favicon_is_a_static_file_not_a_404_page(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert len(queries) == 0  # whitenoise answered before any view ran


@pytest.mark.django_db
def test_pages_link_an_svg_icon(client, home):
    html = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/masthead/favicon.svg" type="image/svg+xml">' in html
    from django.contrib.staticfiles import finders

    assert "<svg" in Path(finders.find("masthead/favicon.svg")).read_text()
