"""Fixtures for the flows: Prefect's test harness entered once per session, a real local SMTP server, and
the flows' runtime pointed at the test's engine Context.

Prefect reads its settings when first imported, so its home (a temporary directory, never ~/.prefect) and
its switches are set here, before any flow module is imported.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

# always a fresh home: the Makefile's PREFECT_HOME (data/prefect) belongs to `make run`, and on a fresh clone
# its parent does not exist yet
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="decide-prefect-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")

HARNESS_STARTUP_TIMEOUT = 180  # measured 22–26 s on these machines; the default 30 s fails under load


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """Prefect's temporary server, entered once for the whole session (it costs 22–26 s)."""
    from prefect.testing.utilities import prefect_test_harness
    with prefect_test_harness(server_startup_timeout=HARNESS_STARTUP_TIMEOUT):
        yield


def free_port() -> int:
    """A TCP port nobody listens on right now (loopback)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    """What the local SMTP server received."""

    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, address: str) -> list[EmailMessage]:
        """Messages delivered to an address."""
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # the name aiosmtpd calls
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.box.lock:
            self.box.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server on loopback (aiosmtpd), collecting what it receives."""
    from aiosmtpd.controller import Controller
    box = Mailbox("127.0.0.1", free_port())
    controller = Controller(_Handler(box), hostname=box.host, port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def flows_runtime() -> Iterator[Any]:
    """The flows' runtime module, reset after the test (tests inject their Context with `use`)."""
    from flows import runtime
    yield runtime
    runtime.use(None)
