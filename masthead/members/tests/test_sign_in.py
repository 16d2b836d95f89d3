"""Readers become members by email alone: sign up and sign in with a code emailed to them (read here from a
real SMTP server), no password. Staff keep the admin's password sign-in; members never reach the admin."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from masthead.members.models import User


@pytest.fixture
def site(home, settings):
    settings.ACCOUNT_RATE_LIMITS = False  # the flows below send many codes from one test client
    return home


def code_from(message) -> str:
    text = message["message"].get_body(("plain",)).get_content()
    return re.search(r"^([A-Z0-9]{4}-?[A-Z0-9]{2,4})\r?$", text, re.M).group(1)


def send(client, capture, url, data):
    with capture(execute=True):
        return client.post(url, data)


def test_sign_up_then_sign_in_with_emailed_codes(site, client, smtp_server, django_capture_on_commit_callbacks):
    response = send(
        client,
        django_capture_on_commit_callbacks,
        "/account/signup/",
        {"email": "Olena@Example.com", "display_name": "Olena K."},
    )
    assert response.status_code == 302 and response["Location"] == "/account/confirm-email/"
    assert [m["to"] for m in smtp_server.messages] == [["olena@example.com"]]
    first = smtp_server.messages[0]["message"]
    assert "confirm" in first["Subject"].lower()
    code = code_from(smtp_server.messages[0])

    page = client.get("/account/confirm-email/")
    assert "Confirm your email address" in page.content.decode()
    wrong = client.post("/account/confirm-email/", {"code": "WRONG1"})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()
    response = client.post("/account/confirm-email/", {"code": code})
    assert response.status_code == 302
    member = User.objects.get(email="olena@example.com")
    assert member.display_name == "Olena K."
    assert not member.has_usable_password() and not member.is_staff
    assert EmailAddress.objects.get(user=member).verified
    assert response.cookies["masthead_signed_in"].value == "1"
    account = client.get("/account/")
    assert account.status_code == 200 and "Signed in as olena@example.com" in account.content.decode()

    client.post("/account/logout/")
    assert client.get("/account/").status_code == 302

    smtp_server.messages.clear()
    response = send(client, django_capture_on_commit_callbacks, "/account/login/code/", {"email": "olena@example.com"})
    assert response.status_code == 302 and response["Location"] == "/account/login/code/confirm/"
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert "sign-in code" in message["message"]["Subject"]
    response = client.post("/account/login/code/confirm/", {"code": code_from(message)})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200


def test_unknown_address_gets_an_invitation_and_nothing_is_revealed(
    site, client, smtp_server, django_capture_on_commit_callbacks
):
    response = send(client, django_capture_on_commit_callbacks, "/account/login/code/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == "/account/login/code/confirm/"  # as for a member
    assert "has no account here" in smtp_server.messages[0]["message"].get_body(("plain",)).get_content()
    assert not User.objects.filter(email="nobody@example.com").exists()


def test_signing_up_twice_tells_the_owner_not_the_visitor(
    site, client, smtp_server, django_capture_on_commit_callbacks
):
    User.objects.create_user("member-x", email="taken@example.com")
    EmailAddress.objects.create(user=User.objects.get(), email="taken@example.com", verified=True, primary=True)
    response = send(
        client,
        django_capture_on_commit_callbacks,
        "/account/signup/",
        {"email": "taken@example.com", "display_name": "X"},
    )
    assert response.status_code == 302
    text = smtp_server.messages[0]["message"].get_body(("plain",)).get_content()
    assert "has one already" in text and "/account/login/code/" in text
    assert User.objects.filter(email="taken@example.com").count() == 1


def test_staff_sign_in_at_the_admin_not_by_code(site, client, smtp_server, django_capture_on_commit_callbacks):
    editor = User.objects.create_user("editor", email="editor@newsroom.test", password="pw-editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    EmailAddress.objects.create(user=editor, email="editor@newsroom.test", verified=True, primary=True)
    send(client, django_capture_on_commit_callbacks, "/account/login/code/", {"email": "editor@newsroom.test"})
    response = client.post("/account/login/code/confirm/", {"code": code_from(smtp_server.messages[0])})
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.get("/admin/").status_code == 302  # not signed in
    assert client.post("/admin/login/", {"username": "editor", "password": "pw-editor"}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_member_cannot_reach_the_admin(site, client):
    member = User.objects.create_user("member-y", email="y@example.com")
    client.force_login(member)
    response = client.get("/admin/")
    assert response.status_code in {302, 403}
    assert "/admin/login/" in response.get("Location", "/admin/login/")
    assert client.get("/admin/pages/").status_code in {302, 403}


@pytest.mark.parametrize("path", ["/account/password/reset/", "/account/password/change/", "/account/reauthenticate/"])
def test_password_pages_do_not_exist_for_members(site, client, path):
    assert client.get(path).status_code == 404


HOSTILE = [
    ("", "Olena"),
    ("not-an-email", "Olena"),
    ("a@b", "Olena"),
    ("x" * 300 + "@example.com", "Olena"),
    ("<script>alert(1)</script>@example.com", "Olena"),
    ("olena@example.com' OR '1'='1", "Olena"),
    ("olena@example.com", ""),
    ("olena@example.com", "\u202e\u200b"),
    ("olena@example.com", "N" * 51),
]


@pytest.mark.parametrize(("email", "name"), HOSTILE)
def test_hostile_sign_up_values_are_refused_with_a_message(site, client, smtp_server, email, name):
    response = client.post("/account/signup/", {"email": email, "display_name": name})
    assert response.status_code == 200
    assert 'class="form__error"' in response.content.decode()
    assert "<script>alert" not in response.content.decode()
    assert not User.objects.exists() and not smtp_server.messages


def test_markup_in_a_name_is_kept_as_text(site, client, smtp_server, django_capture_on_commit_callbacks):
    send(
        client,
        django_capture_on_commit_callbacks,
        "/account/signup/",
        {"email": "m@example.com", "display_name": "<b>Bold</b> Ім'я"},
    )
    assert User.objects.get().display_name == "<b>Bold</b> Ім'я"
    client.post("/account/confirm-email/", {"code": code_from(smtp_server.messages[0])})
    page = client.get("/account/").content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page and "<b>Bold</b>" not in page


def test_the_visitor_endpoint_gives_a_member_their_name_and_nothing_of_the_admin(site, client):
    from masthead.newsroom.tests.factories import published_article

    article = published_article(title="Story", slug="story")
    member = User.objects.create_user("member-z", email="z@example.com", display_name="Zoya")
    client.force_login(member)
    data = client.get(f"/_visitor/?page={article.pk}").json()
    assert data == {"signed_in": True, "edit_url": "", "edit_label": "", "userbar": "", "name": "Zoya"}


def test_codes_to_one_address_are_rate_limited(home, smtp_server, django_capture_on_commit_callbacks):
    from django.test import Client

    answers = []
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            answers.append(Client().post("/account/login/code/", {"email": "someone@example.com"}))
    assert [a.status_code for a in answers] == [302, 302, 302, 200, 200]
    assert "Too many" in answers[3].content.decode()
    assert len(smtp_server.messages) == 3  # allauth's limit: three codes a minute per address


def test_one_client_asking_codes_for_many_addresses_gets_429_with_retry_after(home, smtp_server, settings):
    from django.test import Client

    settings.MASTHEAD_MEMBER_CODE_REQUESTS = 4
    client = Client()
    answers = [client.post("/account/login/code/", {"email": f"reader{n}@example.com"}) for n in range(3)]
    answers += [
        client.post("/account/signup/", {"email": f"new{n}@example.com", "display_name": "N"}) for n in range(3)
    ]
    assert [answer.status_code for answer in answers] == [302, 302, 302, 302, 429, 429]
    refused = answers[-1]
    assert 0 < int(refused["Retry-After"]) <= 600
    assert Client().get("/account/login/code/").status_code == 200  # reading the form is never limited
    assert "Too many tries" in refused.content.decode()


def test_a_member_changes_their_address_with_a_code_sent_to_the_new_one(
    site, client, smtp_server, django_capture_on_commit_callbacks
):
    member = User.objects.create_user("member-c", email="old@example.com", display_name="C")
    EmailAddress.objects.create(user=member, email="old@example.com", verified=True, primary=True)
    client.force_login(member)
    page = client.get("/account/email/")
    assert page.status_code == 200 and "Your address now: old@example.com" in page.content.decode()
    response = send(
        client, django_capture_on_commit_callbacks, "/account/email/", {"email": "new@example.com", "action_add": ""}
    )
    assert response.status_code == 302
    assert smtp_server.messages[-1]["to"] == ["new@example.com"]
    member.refresh_from_db()
    assert member.email == "old@example.com"  # not before the code
    confirm = client.post("/account/confirm-email/", {"code": code_from(smtp_server.messages[-1])})
    assert confirm.status_code == 302
    member.refresh_from_db()
    assert member.email == "new@example.com"
    assert list(EmailAddress.objects.filter(user=member).values_list("email", "verified")) == [
        ("new@example.com", True)
    ]
    for bad in ("not an address", "x" * 300 + "@example.com", "<script>@example.com"):
        refused = client.post("/account/email/", {"email": bad, "action_add": ""})
        assert refused.status_code == 200 and 'class="form__error"' in refused.content.decode(), bad
    assert EmailAddress.objects.filter(user=member).count() == 1


def test_the_task_queue_holds_no_address_or_code(
    site, client, settings, smtp_server, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from masthead.members.models import OutgoingEmail
    from masthead.members.services import member_email_send

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    send(client, django_capture_on_commit_callbacks, "/account/login/code/", {"email": "someone@example.com"})
    queued = DBTaskResult.objects.get()
    assert "someone@example.com" not in str(queued.args_kwargs)
    email_id = queued.args_kwargs["kwargs"]["email_id"]
    assert OutgoingEmail.objects.get(pk=email_id).to == "someone@example.com"
    assert member_email_send(email_id=email_id) == "sent"
    assert not OutgoingEmail.objects.exists() and len(smtp_server.messages) == 1
    assert member_email_send(email_id=email_id) == "gone"  # a rerun sends nothing
