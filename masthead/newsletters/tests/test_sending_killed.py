"""Exactly once, with real worker processes killed mid-send: the first dies at the worst moment SMTP has (the
server holds the whole message, the worker has not heard the reply yet: RFC 1047's duplicate), the second dies
in the middle of a message (the server has its envelope, not its end). Each time the next worker takes over, and
at the end every subscriber has the issue exactly once."""

import os
import signal
import time
from collections import Counter

import pytest

from masthead.conftest import SMTPServer
from masthead.newsletters import sending
from masthead.newsletters.models import Delivery, Issue
from masthead.newsletters.tests.factories import NewsletterFactory, SubscriberFactory, SubscriptionFactory
from masthead.newsroom.tests.factories import ArticlePageFactory, AuthorFactory, publish
from masthead.tests.helpers import free_port, start_worker, wait_for

SUBSCRIBERS = 60
pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


class KillingSMTPServer(SMTPServer):
    """A real SMTP server that SIGKILLs the sending worker at a chosen point: ("DATA", n) once it has taken the
    n-th message and before it answers; ("RCPT", n) at the n-th recipient, before the message is sent."""

    def __init__(self, port: int):
        super().__init__(port)
        self.victim = None
        self.kill_on = None
        self.recipients_seen = 0
        self.kills = []

    def _kill(self, where: str) -> None:
        if self.victim is not None:
            os.kill(self.victim.pid, signal.SIGKILL)
            self.kills.append(where)
            self.victim = self.kill_on = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.recipients_seen += 1
        if self.kill_on == ("RCPT", self.recipients_seen):
            self._kill(f"RCPT {self.recipients_seen}")
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)  # kept: from here the server has it
        if self.kill_on == ("DATA", len(self.messages)):
            self._kill(f"DATA {len(self.messages)}")
        return reply


@pytest.fixture
def killing_server(settings):
    server = KillingSMTPServer(free_port())
    server.start()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    yield server
    server.stop()


def worker(server, log, *, lease: str):
    process = start_worker(log=log, EMAIL_URL=server.url, MASTHEAD_TASK_LEASE_SECONDS=lease, EMAIL_TIMEOUT="30")
    wait_for(lambda: log.exists() and "Task worker started" in log.read_text(), what="the worker to start")
    return process


def test_workers_killed_mid_send_deliver_to_every_subscriber_exactly_once(home, killing_server, tmp_path):
    newsletter = NewsletterFactory(slug="morning")
    for number in range(SUBSCRIBERS):
        subscriber = SubscriberFactory(email=f"reader{number:03}@example.org")
        SubscriptionFactory(newsletter=newsletter, subscriber=subscriber, status="active")
    article = publish(ArticlePageFactory(live=False, title="Killed twice", authors=[AuthorFactory()]))
    issue = Issue.objects.create(newsletter=newsletter, kind=Issue.Kind.ARTICLE, article=article)
    workers = []
    try:
        # The first worker dies when the server has the 20th message and before it hears "250".
        killing_server.kill_on = ("DATA", 20)
        killing_server.victim = worker(killing_server, tmp_path / "first.log", lease="60")
        workers.append(killing_server.victim)
        sending.issue_send(issue=issue)
        wait_for(lambda: killing_server.kills, timeout=60, what="the first worker to be killed")
        workers[-1].wait(timeout=10)
        assert len(killing_server.messages) == 20
        assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 20  # the 20th too: marked before "."
        assert Delivery.objects.filter(status=Delivery.Status.SENDING).count() == SUBSCRIBERS - 20

        # The next takes the dead worker's rows over once its lease has run out, and dies in the 40th message,
        # after its recipient and before its end.
        time.sleep(1.2)
        killing_server.kill_on = ("RCPT", 40)
        killing_server.victim = worker(killing_server, tmp_path / "second.log", lease="1")
        workers.append(killing_server.victim)
        wait_for(lambda: len(killing_server.kills) == 2, timeout=60, what="the second worker to be killed")
        workers[-1].wait(timeout=10)
        assert len(killing_server.messages) == 39

        time.sleep(1.2)
        workers.append(worker(killing_server, tmp_path / "third.log", lease="1"))
        wait_for(
            lambda: Issue.objects.get(pk=issue.pk).status == Issue.Status.SENT, timeout=60, what="the issue to be sent"
        )
    finally:
        for process in workers:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)

    assert killing_server.kills == ["DATA 20", "RCPT 40"]
    received = Counter(message["to"][0] for message in killing_server.messages)
    expected = {f"reader{number:03}@example.org" for number in range(SUBSCRIBERS)}
    assert set(received) == expected, f"missing: {sorted(expected - set(received))}"
    assert max(received.values()) == 1, f"twice: {[email for email, n in received.items() if n > 1]}"
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == SUBSCRIBERS
    message_ids = {message["message"]["Message-ID"] for message in killing_server.messages}
    assert len(message_ids) == SUBSCRIBERS
