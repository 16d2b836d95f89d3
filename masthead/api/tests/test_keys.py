"""Content API keys: made by the command and by editors in the admin."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from masthead.api.models import ContentApiKey

pytestmark = pytest.mark.django_db


def test_the_command_prints_a_new_key_like_ghosts():
    out = StringIO()
    call_command("apikey", "create", "Mobile app", stdout=out)
    secret = out.getvalue().strip()
    assert re.fullmatch(r"[0-9a-f]{26}", secret)
    assert ContentApiKey.objects.get(secret=secret).name == "Mobile app"
    listed = StringIO()
    call_command("apikey", "list", stdout=listed)
    assert f"{secret}  Mobile app  (never used)" in listed.getvalue()


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_a_key_needs_a_name(name):
    with pytest.raises(CommandError, match="needs a name"):
        call_command("apikey", "create", name, stdout=StringIO())
    assert not ContentApiKey.objects.exists()


def test_keys_differ():
    secrets = {ContentApiKey.objects.create(name=f"k{n}").secret for n in range(50)}
    assert len(secrets) == 50


def test_editors_make_and_delete_keys_in_the_admin(client, home, make_user):
    editor = make_user("editor", "Editors")
    client.force_login(editor)
    response = client.post("/admin/content_api_keys/new/", {"name": "Partner site"})
    assert response.status_code == 302
    key = ContentApiKey.objects.get(name="Partner site")
    listing = client.get("/admin/content_api_keys/").content.decode()
    assert key.secret in listing
    assert client.post(f"/admin/content_api_keys/delete/{key.pk}/").status_code == 302
    assert not ContentApiKey.objects.exists()


def test_reporters_cannot_see_keys(client, home, make_user):
    client.force_login(make_user("reporter", "Reporters"))
    assert client.get("/admin/content_api_keys/").status_code in (302, 403)
    assert client.post("/admin/content_api_keys/new/", {"name": "x"}).status_code in (302, 403)
    assert not ContentApiKey.objects.exists()
