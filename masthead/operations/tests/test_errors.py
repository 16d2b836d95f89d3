"""Error reports reach the administrators by email (from the worker, once per kind of error) and a
Sentry-compatible service (a real HTTP endpoint here), without readers' personal data."""

import gzip
import json
import logging
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import brotli
import pytest
from django.test import RequestFactory

from masthead.operations.errors import AdminEmailHandler
from masthead.tests.helpers import clean_environment, run_masthead


def error_record(path="/story/", message="Internal Server Error: /story/"):
    request = RequestFactory().get(path, HTTP_COOKIE="sessionid=secret", REMOTE_ADDR="203.0.113.9")
    try:
        {}["missing"]  # noqa: B018 (an error to report)
    except KeyError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, message, (), exc_info)
    record.request = request
    return record


@pytest.mark.django_db
def test_errors_are_emailed_once_per_kind_by_the_worker(settings, smtp_server, django_capture_on_commit_callbacks):
    settings.ADMINS = [("Ops", "ops@example.org")]
    handler = AdminEmailHandler()
    for _ in range(3):
        handler.emit(error_record())
    handler.emit(error_record(path="/other/", message="Internal Server Error: /other/"))  # same error, same place
    assert [m["to"] for m in smtp_server.messages] == [["ops@example.org"]]
    message = smtp_server.messages[0]["message"]
    assert "GET /story/" in message["Subject"]
    body = message.get_content()
    assert "KeyError" in body and "Traceback" in body
    assert "203.0.113.9" not in body and "secret" not in body


def test_nothing_is_sent_without_admins(settings, smtp_server):
    settings.ADMINS = []
    AdminEmailHandler().emit(error_record())
    assert smtp_server.messages == []


class Collector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        Collector.received.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_errors_reach_a_sentry_compatible_endpoint_without_personal_data(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Collector.received.clear()
    script = (
        "import sentry_sdk\n"
        "try:\n"
        "    raise ValueError('the test error')\n"
        "except ValueError:\n"
        "    sentry_sdk.capture_exception()\n"
        "sentry_sdk.flush(5)\n"
    )
    result = run_masthead(
        "shell",
        "-c",
        script,
        env=clean_environment(
            DEBUG="1",
            MASTHEAD_VAR_DIR=str(tmp_path),
            MASTHEAD_SENTRY_DSN=f"http://publickey@127.0.0.1:{server.server_port}/42",
        ),
        timeout=60,
    )
    server.shutdown()
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for body in Collector.received for line in body.splitlines() if b'"exception"' in line]
    assert events, Collector.received
    event = events[0]
    assert event["exception"]["values"][0]["type"] == "ValueError"
    assert "user" not in event or not event["user"].get("ip_address")
