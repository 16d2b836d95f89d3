"""The opinion form: stored at once, emailed to the editors by a background task, never twice, never a 500.

The mail server is real (aiosmtpd): one that accepts, one that refuses connections, one that stalls. The tests
that prove crash and resume run real `masthead worker` processes against the test database.
"""

import os
import signal
import time

import pytest
import requests
from bs4 import BeautifulSoup
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from masthead.newsroom import services
from masthead.newsroom.models import OpinionFormField, OpinionFormPage, OpinionSubmission
from masthead.tests.helpers import run_worker, start_worker, wait_for

Status = OpinionSubmission.EmailStatus
GOOD = {"your_name": "Оксана", "email": "oksana@example.org", "your_piece": "Local news matters. <script>x</script>"}


def make_opinion_form(home, *, to_address="editors@example.org") -> OpinionFormPage:
    form = home.add_child(
        instance=OpinionFormPage(
            title="Submit an Opinion",
            slug="submit-an-opinion",
            to_address=to_address,
            from_address="site@example.org",
            subject="New opinion",
            thank_you_text="<p>Thanks, we read everything.</p>",
        )
    )
    for order, (label, kind, required) in enumerate(
        [("Your name", "singleline", True), ("Email", "email", True), ("Your piece", "multiline", True)]
    ):
        OpinionFormField.objects.create(page=form, label=label, field_type=kind, required=required, sort_order=order)
    return form


@pytest.fixture
def opinion_form(home):
    return make_opinion_form(home)


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def post(client, data, capture):
    """Post as a reader; run what the request queues on commit (the immediate task backend sends at once)."""
    with capture(execute=True):
        return client.post("/submit-an-opinion/", data)


def test_stores_and_emails_the_editors(client, opinion_form, smtp_server, django_capture_on_commit_callbacks):
    page = soup_of(client.get("/submit-an-opinion/"))
    labels = {label["for"] for label in page.select("form label")}
    assert labels == {field["id"] for field in page.select("form input:not([type=hidden]), form textarea")}
    response = post(client, GOOD, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "Thanks, we read everything." in response.content.decode()
    submission = OpinionSubmission.objects.get(page=opinion_form)
    assert submission.get_data()["your_name"] == "Оксана"
    assert (submission.email_status, submission.email_attempts) == (Status.SENT, 1)
    assert len(smtp_server.messages) == 1
    sent = smtp_server.messages[0]
    assert sent["to"] == ["editors@example.org"]
    assert sent["message"]["Subject"] == "New opinion"
    assert sent["message"]["Reply-To"] == "oksana@example.org"
    body = sent["message"].get_content()
    assert "Your name: Оксана" in body and "Local news matters. <script>x</script>" in body

    # The task run again (a retry, a second worker) sends nothing more.
    assert services.opinion_email_send(submission_id=submission.pk) == Status.SENT
    assert len(smtp_server.messages) == 1


def test_without_a_to_address_the_newsrooms_editors_get_it(
    client, home, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.MASTHEAD_EDITORS_EMAIL = ["desk@example.org", "chief@example.org"]
    make_opinion_form(home, to_address="")
    response = post(client, GOOD, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert [message["to"] for message in smtp_server.messages] == [["desk@example.org", "chief@example.org"]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "This field is required."),
        ({"your_name": "", "email": "", "your_piece": ""}, "This field is required."),
        ({"your_name": "A", "email": "not-an-email", "your_piece": "text"}, "Enter a valid email address."),
        ({"your_name": "A" * 300, "email": "a@example.org", "your_piece": "t"}, "at most 255 characters"),
        ({"your_name": ["a", "b"], "email": "a@example.org' OR 1=1 --", "your_piece": "x"}, "valid email"),
        ({"your_name": "Bcc: x@example.org\r\nSubject: hi", "email": "a@example.org", "your_piece": "x"}, "one line"),
        ({"your_name": "Line\nbreak", "email": "a@example.org", "your_piece": "x"}, "Please keep this to one line."),
        (
            {"your_name": "A", "email": "a@example.org", "your_piece": "é" * 20_001},
            "Please keep this to 20,000 characters or fewer (it has 20001).",
        ),
    ],
)
def test_rejects_bad_input_and_stores_nothing(
    client, opinion_form, smtp_server, data, message, django_capture_on_commit_callbacks
):
    response = post(client, data, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    errors = " ".join(error.get_text() for error in soup_of(response).select(".form__error"))
    assert message in errors
    assert OpinionSubmission.objects.count() == 0
    assert smtp_server.messages == []


def test_a_flood_of_submissions_from_one_client_is_refused_with_retry_after(
    client, opinion_form, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.MASTHEAD_OPINION_SUBMISSIONS = 3
    answers = [post(client, GOOD, django_capture_on_commit_callbacks) for _ in range(5)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 429]
    assert 0 < int(answers[-1]["Retry-After"]) <= 3600
    assert "Too many submissions from here" in answers[-1].content.decode()
    assert OpinionSubmission.objects.count() == 3 and len(smtp_server.messages) == 3
    # Another reader still gets through, and reading the form is never limited.
    assert client.post("/submit-an-opinion/", GOOD, REMOTE_ADDR="198.51.100.9").status_code == 200
    assert client.get("/submit-an-opinion/").status_code == 200


def test_a_refused_connection_is_stored_once_and_sent_when_the_server_is_back(
    client, opinion_form, smtp_server, django_capture_on_commit_callbacks, caplog, make_user
):
    smtp_server.stop()  # the port now refuses connections
    started = time.monotonic()
    response = post(client, GOOD, django_capture_on_commit_callbacks)
    assert time.monotonic() - started < 1
    assert response.status_code == 200
    assert "Thanks, we read everything." in response.content.decode()
    submission = OpinionSubmission.objects.get()
    assert submission.email_status == Status.FAILED
    assert "ConnectionRefusedError" in submission.email_error
    assert "email attempt 1 failed" in caplog.text

    # Editors see it in the form's submissions list.
    assert submission.get_data()["email_status"] == "failed, will be retried"
    client.force_login(make_user("editor", "Editors"))
    listing = client.get(reverse("wagtailforms:list_submissions", args=[opinion_form.pk])).content.decode()
    assert "Email to the editors" in listing and "failed, will be retried" in listing

    smtp_server.start()
    assert services.opinion_emails_resume() == 1  # what a worker does when it starts
    assert len(smtp_server.messages) == 1
    submission.refresh_from_db()
    assert (submission.email_status, submission.email_attempts, submission.email_error) == (Status.SENT, 2, "")
    assert services.opinion_emails_resume() == 0
    assert len(smtp_server.messages) == 1
    assert OpinionSubmission.objects.count() == 1


def test_gives_up_after_the_last_attempt(opinion_form, smtp_server):
    smtp_server.stop()
    submission = OpinionSubmission.objects.create(page=opinion_form, form_data=GOOD)
    OpinionSubmission.objects.filter(pk=submission.pk).update(email_attempts=services.EMAIL_MAX_ATTEMPTS - 1)
    assert services.opinion_email_send(submission_id=submission.pk) == Status.GAVE_UP
    assert services.opinion_emails_resume() == 0


# With a real worker process ------------------------------------------------------------------------------------


def submit_through_the_site(base_url: str) -> requests.Response:
    """A reader's browser: get the form (it sets no cookie and carries no token), post it from the site."""
    session = requests.Session()
    form = session.get(f"{base_url}/submit-an-opinion/", timeout=5)
    assert not form.cookies and "csrfmiddlewaretoken" not in form.text
    return session.post(f"{base_url}/submit-an-opinion/", data=GOOD, headers={"Origin": base_url}, timeout=5)


@pytest.fixture
def served_form(django_db_serialized_rollback, live_server, settings, home):
    from wagtail.models import Site

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.ALLOWED_HOSTS = ["*"]
    host, port = live_server.url.removeprefix("http://").split(":")
    Site.objects.filter(is_default_site=True).update(hostname=host, port=int(port))
    make_opinion_form(home)
    return live_server.url


def worker_ready(log) -> bool:
    return log.exists() and "Task worker started" in log.read_text()


def ready_worker(smtp_server, log):
    """A `masthead worker` sending to the test's mail server, once it has started."""
    worker = start_worker(log=log, EMAIL_URL=smtp_server.url, EMAIL_TIMEOUT="60")
    wait_for(lambda: worker_ready(log), what="the worker to start")
    return worker


def state(submission_id):
    return OpinionSubmission.objects.values_list("email_status", flat=True).get(pk=submission_id)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_stalled_mail_server_holds_up_no_reader(served_form, smtp_server, tmp_path):
    smtp_server.stall()
    worker = ready_worker(smtp_server, tmp_path / "worker.log")
    try:
        started = time.monotonic()
        response = submit_through_the_site(served_form)
        assert time.monotonic() - started < 1
        assert response.status_code == 200 and "Thanks, we read everything." in response.text
        submission = OpinionSubmission.objects.get()
        wait_for(lambda: state(submission.pk) == Status.SENDING, what="the worker to take the email")
        wait_for(lambda: smtp_server.stalled_sessions, what="the worker to reach the stalled server")

        for path in ["/", "/submit-an-opinion/", "/no-such-page/"]:
            started = time.monotonic()
            requests.get(f"{served_form}{path}", timeout=5)
            assert time.monotonic() - started < 1, path

        smtp_server.release()
        wait_for(lambda: state(submission.pk) == Status.SENT, what="the email to be sent")
        assert len(smtp_server.messages) == 1
        assert OpinionSubmission.objects.count() == 1
    finally:
        worker.terminate()
        worker.wait(timeout=20)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_workers_email_is_sent_by_the_next_worker_exactly_once(served_form, smtp_server, tmp_path):
    smtp_server.stall()
    first = ready_worker(smtp_server, tmp_path / "first.log")
    try:
        assert submit_through_the_site(served_form).status_code == 200
        submission = OpinionSubmission.objects.get()
        wait_for(lambda: smtp_server.stalled_sessions, what="the first worker to reach the stalled server")
        task = DBTaskResult.objects.get(task_path="masthead.newsroom.tasks.opinion_email_task")
        assert task.status == "RUNNING"
    finally:
        os.kill(first.pid, signal.SIGKILL)  # dies mid-send: no clean-up, the task stays RUNNING
        first.wait(timeout=10)
    assert DBTaskResult.objects.get(pk=task.pk).status == "RUNNING"
    assert state(submission.pk) == Status.SENDING
    smtp_server.release()

    time.sleep(1.2)  # the lease below runs out
    second = run_worker(EMAIL_URL=smtp_server.url, MASTHEAD_TASK_LEASE_SECONDS="1")
    assert second.returncode == 0, second.stderr
    assert "Requeued 1 task(s)" in second.stderr
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert len(task.worker_ids) == 2
    assert state(submission.pk) == Status.SENT
    assert len(smtp_server.messages) == 1

    third = run_worker(EMAIL_URL=smtp_server.url, MASTHEAD_TASK_LEASE_SECONDS="1")  # nothing left to do
    assert third.returncode == 0, third.stderr
    assert len(smtp_server.messages) == 1
