"""The e-mails the local stack has sent: read from moto's SES backend (SESv2 shares it).

moto keeps each sent message without a time and, when both a text and an HTML body were
sent, only the HTML one (docs/tooling.md). The outbox notes the simulated time at which it first
saw each message; the pump looks after every handler call, so that is when it was sent.
"""

from __future__ import annotations

import datetime as dt
import email
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from vhcore import clock as domain_clock
from vhtools.template import ACCOUNT, REGION

_HTML = re.compile(r"^\s*(<!doctype|<html|<body|<p[\s>]|<div|<table|<br)", re.IGNORECASE)


@dataclass(frozen=True)
class SentEmail:
    message_id: str
    source: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    subject: str
    body: str
    is_html: bool
    sent_at: dt.datetime  # simulated time, UTC

    def as_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "source": self.source,
            "to": list(self.to),
            "cc": list(self.cc),
            "bcc": list(self.bcc),
            "subject": self.subject,
            "body": self.body,
            "is_html": self.is_html,
            "sent_at": self.sent_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


def _raw_body(parsed: Message) -> tuple[str, bool]:
    parts = list(parsed.walk()) if parsed.is_multipart() else [parsed]
    for wanted in ("text/html", "text/plain"):
        for part in parts:
            if part.get_content_type() == wanted:
                payload = part.get_payload(decode=True)
                if isinstance(payload, bytes):
                    charset = part.get_content_charset() or "utf-8"
                    return payload.decode(charset, "replace"), wanted == "text/html"
    return "", False


def _convert(message: Any, seen_at: dt.datetime) -> SentEmail:
    if hasattr(message, "raw_data"):  # SendEmail with Content.Raw
        parsed = email.message_from_string(message.raw_data)
        body, is_html = _raw_body(parsed)
        return SentEmail(
            message_id=message.id,
            source=message.source,
            to=tuple(message.destinations),
            cc=(),
            bcc=(),
            subject=str(parsed.get("Subject", "")),
            body=body,
            is_html=is_html,
            sent_at=seen_at,
        )
    destinations = getattr(message, "destinations", {}) or {}
    body = str(getattr(message, "body", ""))
    return SentEmail(
        message_id=message.id,
        source=message.source,
        to=tuple(destinations.get("ToAddresses", [])),
        cc=tuple(destinations.get("CcAddresses", [])),
        bcc=tuple(destinations.get("BccAddresses", [])),
        subject=str(getattr(message, "subject", "")),
        body=body,
        is_html=bool(_HTML.match(body)),
        sent_at=seen_at,
    )


@dataclass
class Outbox:
    """Sent mail, newest first. ``collect()`` picks up what moto received since last time."""

    account: str = ACCOUNT
    region: str = REGION
    listeners: list[Callable[[SentEmail], object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._seen = 0
        self._messages: list[SentEmail] = []

    @staticmethod
    def _backend_messages(account: str, region: str) -> list[Any]:
        from moto.ses.models import ses_backends

        return list(ses_backends[account][region].sent_messages)

    def collect(self) -> list[SentEmail]:
        """The messages sent since the last call (and tell the listeners)."""
        with self._lock:
            sent = self._backend_messages(self.account, self.region)
            if len(sent) < self._seen:  # the emulator was reset
                self._seen = 0
            now = domain_clock.now().astimezone(dt.UTC)
            new = [_convert(m, now) for m in sent[self._seen :]]
            self._seen = len(sent)
            self._messages.extend(new)
        for message in new:
            for listener in self.listeners:
                listener(message)
        return new

    def messages(self) -> list[SentEmail]:
        """Every message sent so far, newest first."""
        self.collect()
        with self._lock:
            return list(reversed(self._messages))


def print_to_console(message: SentEmail) -> None:
    """``make dev``: recipient and subject only (e-mails carry no betrokkene data by design,
    and the console is not the place to find out otherwise)."""
    print(f"  e-mail verzonden aan {', '.join(message.to)}: {message.subject}", flush=True)
