"""Fixtures shared by every app's tests."""

import pytest
from django.contrib.auth.models import Group

from masthead.newsroom.services import site_structure_ensure


@pytest.fixture
def home(db):
    """The site's home page, article archive and review workflow, as `masthead setup` makes them."""
    return site_structure_ensure(site_name="Test Newsroom", hostname="testserver")


@pytest.fixture
def make_user(db, django_user_model):
    def make(username: str, *groups: str, **extra):
        user = django_user_model.objects.create_user(username=username, password="pw-" + username, **extra)
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
        return user

    return make


class RecordingHandler:
    """Keeps every message the SMTP server receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "message": message_from_bytes(envelope.content, policy=policy.default),
            }
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port; Django's SMTP backend sends to it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield handler
    controller.stop()
