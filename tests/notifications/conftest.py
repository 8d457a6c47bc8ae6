"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        content = envelope.original_content.replace(b"\r\n", b"\n")  # as sent, in local line endings
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(content, policy=policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    inbox = Inbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()
