"""A real SMTP server for the tests (aiosmtpd on a free loopback port)."""

import socket
from contextlib import contextmanager
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    # aiosmtpd cannot bind port 0 (aio-libs/aiosmtpd#276): ask the kernel for a free one first.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """Accepts messages; after `accept` of them answers 451 (try later); refuses any recipient
    whose address starts with "refuse" with 550."""

    def __init__(self, accept: int | None = None):
        self.accept = accept
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.accept is not None and len(self.messages) >= self.accept:
            return "451 4.3.0 Mailbox busy, try again later"
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def reminder_ids(self) -> list[str]:
        return [i for m in self.messages for i in m["X-Reminder-IDs"].replace(" ", "").split(",")]


@contextmanager
def smtp_server(inbox: Inbox, port: int | None = None):
    controller = Controller(inbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()
