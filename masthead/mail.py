"""Masthead's SMTP email backend: Django's own (every email goes through it), plus `send_prepared`, which sends
one ready-made message and records it as sent at the one moment that makes a crash harmless.

An SMTP server takes a message when it reads the "." that ends it. A sender that records "sent" after the
server's 250 reply sends the message twice when it dies between the two (RFC 1047); one that records it before
sending anything loses it. `send_prepared` sends the whole message but the final ".", then calls `commit()`
(which marks the row sent, and may refuse: the row is no longer this worker's), then sends the ".": a worker
killed before the commit leaves the server with an unfinished message, which it throws away, and the row for the
next worker; killed after it, the "." is a few instructions away and the row already says sent. A refusal at the
"." (4xx, 5xx) raises `Refused` and the caller takes the mark back.
"""

import contextlib
import smtplib
import socket

from django.core.mail.backends import smtp
from django.core.mail.message import sanitize_address


def _envelope_address(address: str) -> bytes:
    """An address for MAIL FROM / RCPT TO: as it is when plain ASCII (the common case, and cheap), else as Django
    makes it (an internationalised domain in punycode)."""
    if address.isascii() and not any(character in address for character in '<>"\r\n ,'):
        return address.encode()
    return sanitize_address(address, "utf-8").encode()


class Refused(Exception):
    """The mail server refused the message: `temporary` for a 4xx reply or a lost connection (try again later),
    else permanent (5xx). `recipient` is true when it was the address it refused."""

    def __init__(self, code: int, text: str, *, recipient: bool = False):
        super().__init__(f"{code} {text}")
        self.code = code
        self.temporary = code < 500
        self.recipient = recipient


class Unconfirmed(Exception):
    """The connection broke after the final ".": the server may or may not have the message (it is recorded as
    sent; sending it again could make a duplicate)."""


class EmailBackend(smtp.EmailBackend):
    """Django's SMTP backend with `send_prepared` (see the module's docstring). MAIL, RCPT and DATA go in one
    write where the server offers PIPELINING (RFC 2920); the connection is kept for the next message."""

    def open(self):
        opened = super().open()
        if opened and self.connection is not None and self.connection.sock is not None:
            # The message and its final "." are two writes with the commit between: without this the "." waits
            # for the server's delayed acknowledgement of the first (Nagle's algorithm), some 40 ms a message.
            self.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return opened

    def send_prepared(self, *, sender: str, recipient: str, data: bytes, commit) -> bool:
        """Send `data` (a whole message, CRLF line ends) from `sender` to `recipient`. Returns False when
        `commit()` refused (nothing was sent); raises Refused, Unconfirmed, or OSError when the server cannot be
        reached (temporary)."""
        if self.connection is None:
            self.open()
        connection = self.connection
        envelope_from, envelope_to = _envelope_address(sender), _envelope_address(recipient)
        try:
            connection.ehlo_or_helo_if_needed()
            self._envelope(connection, envelope_from, envelope_to)
            body = (b"." if data.startswith(b".") else b"") + data.replace(b"\n.", b"\n..")  # RFC 5321 4.5.2
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            connection.send(body)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPHeloError, OSError) as error:
            self._drop()
            raise Refused(421, f"connection lost ({error})") from error
        if not commit():
            self._drop()  # closing before the "." makes the server throw the message away
            return False
        try:
            connection.send(b".\r\n")
            code, text = connection.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self._drop()
            raise Unconfirmed(str(error)) from error
        if code != 250:
            self._reset()
            raise Refused(code, text.decode(errors="replace"))
        return True

    def _envelope(self, connection, sender: bytes, recipient: bytes) -> None:
        commands = [b"MAIL FROM:<" + sender + b">", b"RCPT TO:<" + recipient + b">", b"DATA"]
        if connection.does_esmtp and connection.has_extn("pipelining"):
            connection.send(b"\r\n".join(commands) + b"\r\n")
            replies = [connection.getreply() for _ in commands]
        else:
            replies = []
            for command in commands:
                connection.send(command + b"\r\n")
                replies.append(connection.getreply())
                if replies[-1][0] >= 400:
                    break
        expected = (250, 250, 354)
        for index, (code, text) in enumerate(replies):
            if code == expected[index] or (index == 1 and code == 251):
                continue
            if replies[-1][0] == 354:  # the server wants a message all the same: give it an empty one, refused
                connection.send(b".\r\n")
                connection.getreply()
            self._reset()
            raise Refused(code, text.decode(errors="replace"), recipient=index == 1)

    def _reset(self) -> None:
        try:
            self.connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        """Close the connection without QUIT (an unfinished message is discarded); the next send opens one."""
        if self.connection is not None:
            with contextlib.suppress(OSError):
                self.connection.close()
            self.connection = None
