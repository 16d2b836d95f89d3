"""Staff sign-in to the admin under attack: wrong passwords lock the account out for that client (the right one
too), a client's tries are limited whatever the usernames, password resets are limited per client and per
address, and two-factor codes are asked of those who set them up (and of everyone where the site requires it)."""

import base64
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from masthead.members.models import User

PASSWORD = "a-long-staff-password-1"


@pytest.fixture
def editor(home):
    user = User.objects.create_user("eddie", email="eddie@example.org", password=PASSWORD)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def sign_in(client, username="eddie", password=PASSWORD, code="", address="203.0.113.5"):
    return client.post(
        "/admin/login/",
        {"username": username, "password": password, "otp_token": code},
        REMOTE_ADDR=address,
    )


def signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_wrong_passwords_lock_the_account_out_for_that_client_even_with_the_right_one(client, editor, settings):
    for _ in range(settings.MASTHEAD_STAFF_LOCKOUT_TRIES - 1):
        assert sign_in(client, password="wrong").status_code == 200  # the form again, with its error
    locked = sign_in(client, password="wrong")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == settings.MASTHEAD_STAFF_LOCKOUT_MINUTES * 60
    assert "no-store" in locked["Cache-Control"] or "no-cache" in locked["Cache-Control"]
    assert sign_in(client).status_code == 429  # the right password now gets in no more
    assert not signed_in(client)
    # Another client (the editor at her desk) is not locked out by an attacker elsewhere.
    assert sign_in(client, address="198.51.100.7").status_code == 302
    assert signed_in(client)


def test_a_success_before_the_limit_clears_the_count(client, editor, settings):
    for _ in range(settings.MASTHEAD_STAFF_LOCKOUT_TRIES - 1):
        sign_in(client, password="wrong")
    assert sign_in(client).status_code == 302
    client.logout()
    for _ in range(settings.MASTHEAD_STAFF_LOCKOUT_TRIES - 1):
        assert sign_in(client, password="wrong").status_code == 200


def test_one_client_guessing_many_usernames_is_stopped_before_any_password_is_checked(client, editor, settings):
    settings.MASTHEAD_STAFF_LOGIN_TRIES = 8
    answers = [sign_in(client, username=f"user{i}", password="guess").status_code for i in range(10)]
    assert answers == [200] * 8 + [429] * 2
    refused = sign_in(client)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many sign-in attempts" in refused.content.decode()


def test_password_resets_are_limited_per_address_and_per_client(client, editor):
    sent = [
        client.post("/admin/password_reset/", {"email": "eddie@example.org"}, REMOTE_ADDR=f"192.0.2.{i}").status_code
        for i in range(5)
    ]
    assert sent == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3
    answers = [
        client.post("/admin/password_reset/", {"email": f"x{i}@example.org"}, REMOTE_ADDR="192.0.2.200").status_code
        for i in range(7)
    ]
    assert answers == [302] * 5 + [429] * 2
    assert len(mail.outbox) == 3  # the unknown addresses get nothing, as before


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def current_code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_with_an_authenticator_the_password_alone_does_not_sign_in(client, editor):
    device = confirmed_device(editor)
    response = sign_in(client)
    assert response.status_code == 200 and "The two-factor code is wrong or has expired." in response.content.decode()
    assert not signed_in(client)
    assert sign_in(client, code="000000" if current_code(device) != "000000" else "111111").status_code == 200
    assert sign_in(client, code="<script>alert(1)</script>").status_code == 200
    # After a wrong code the authenticator waits (1 s, then doubling) before it takes even the right one.
    assert sign_in(client, code=current_code(device)).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()  # as if the wait had passed
    assert sign_in(client, code=current_code(device)).status_code == 302
    assert signed_in(client)


def test_wrong_codes_count_towards_the_lock_out(client, editor, settings):
    confirmed_device(editor)
    for _ in range(settings.MASTHEAD_STAFF_LOCKOUT_TRIES - 1):
        assert sign_in(client, code="123456").status_code == 200
    assert sign_in(client, code="123456").status_code == 429


def test_a_session_from_before_the_authenticator_is_signed_out(client, editor):
    client.force_login(editor)
    assert signed_in(client)
    confirmed_device(editor)
    response = client.get("/admin/pages/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not signed_in(client)


def test_where_required_staff_set_up_an_authenticator_before_using_the_admin(client, editor, settings):
    settings.MASTHEAD_STAFF_TWO_FACTOR = True
    assert sign_in(client).status_code == 302
    response = client.get("/admin/pages/")
    assert response.status_code == 302 and response["Location"] == "/admin/two-factor/"
    page = client.get("/admin/two-factor/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "requires two-factor sign-in" in html
    secret = re.search(r"Key: <code>([A-Z2-7 ]+)</code>", html).group(1).replace(" ", "")
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    assert secret == base64.b32encode(device.bin_key).decode()

    wrong = client.post("/admin/two-factor/", {"code": "12ab"})
    assert wrong.status_code == 200 and "wrong or has expired" in wrong.content.decode()
    assert client.post("/admin/two-factor/", {"code": current_code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/pages/").status_code == 200
    # Required: it cannot be turned off by the user.
    client.post("/admin/two-factor/", {"action": "remove"})
    assert TOTPDevice.objects.filter(user=editor, confirmed=True).exists()


def test_where_optional_an_editor_may_turn_it_off(client, editor):
    device = confirmed_device(editor)
    assert sign_in(client, code=current_code(device)).status_code == 302
    client.post("/admin/two-factor/", {"action": "remove"})
    assert not TOTPDevice.objects.filter(user=editor).exists()


def test_the_reset_command_removes_a_lost_authenticator(editor):
    from django.core.management import call_command

    confirmed_device(editor)
    call_command("two_factor_reset", "eddie")
    assert not TOTPDevice.objects.filter(user=editor).exists()


def test_sign_ins_and_outs_are_in_the_admins_history(client, editor):
    from wagtail.models import ModelLogEntry

    assert sign_in(client).status_code == 302
    client.post("/admin/logout/")
    actions = list(ModelLogEntry.objects.filter(object_id=str(editor.pk)).values_list("action", "user_id"))
    assert sorted(actions) == [("masthead.sign_in", editor.pk), ("masthead.sign_out", editor.pk)]


def test_staff_passwords_must_be_long():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Short-pw-1!")
    validate_password("a much longer pass phrase")
