"""The staff session of a working day, without a table: what the refresh cookie holds and
when a renewal is refused.

The browser keeps Cognito's refresh token only sealed (AES-GCM with the function's own key,
``SESSION_SECRET``), together with when the session started and when its ID token runs out.
So the token is usable only through the sign-in function, which refuses a renewal

- after ``IDLE`` without a request: the ID token lives a few minutes, so a person at work
  renews it often, and a renewal asked for more than ``IDLE`` after the token ran out comes
  from a page nobody used (an idle session ends between ``IDLE`` and ``IDLE`` plus one
  token's lifetime after the last request);
- after ``WORKING_DAY`` since signing in (Cognito's refresh token ends then too: the
  template's ``RefreshTokenValidity``, kept by each rotated token).

Times are the domain's clock (``vhcore.clock``), so the local stack's simulated clock moves
them as it moves everything else.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from enum import StrEnum

IDLE = dt.timedelta(minutes=30)
WORKING_DAY = dt.timedelta(hours=10)
_CONTEXT = b"vh-staff-session-v1"  # associated data: a sealed value for nothing else
_NONCE = 12


class Ended(StrEnum):
    """Why a session cannot be renewed; each has its Dutch message."""

    MISSING = "missing"
    IDLE = "idle"
    DAY_OVER = "day_over"
    REFUSED = "refused"


MESSAGES = {
    Ended.MISSING: "U bent niet (meer) ingelogd. Log opnieuw in.",
    Ended.IDLE: "U was 30 minuten niet actief. Log opnieuw in om verder te werken.",
    Ended.DAY_OVER: "U bent 10 uur ingelogd geweest. Log opnieuw in om verder te werken.",
    Ended.REFUSED: "Uw sessie is beëindigd. Log opnieuw in.",
}


@dataclass(frozen=True)
class Session:
    refresh_token: str
    started: dt.datetime
    token_expires: dt.datetime  # when the current ID token runs out

    def ended(self, now: dt.datetime) -> Ended | None:
        """Why this session may not be renewed at ``now``, or None."""
        if now >= self.started + WORKING_DAY:
            return Ended.DAY_OVER
        if now > self.token_expires + IDLE:
            return Ended.IDLE
        return None

    def cookie_lifetime(self, now: dt.datetime) -> int:
        """Seconds the refresh cookie may live: to the end of the working day."""
        return max(0, int((self.started + WORKING_DAY - now).total_seconds()))


def _key(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def seal(session: Session, secret: str) -> str:
    """The cookie value: nonce and ciphertext, URL-safe base64 without padding."""
    # Imported here: login and logout need no cipher (cold start).
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    plain = json.dumps(
        {
            "r": session.refresh_token,
            "s": int(session.started.timestamp()),
            "e": int(session.token_expires.timestamp()),
        },
        separators=(",", ":"),
    ).encode()
    nonce = os.urandom(_NONCE)
    sealed = nonce + AESGCM(_key(secret)).encrypt(nonce, plain, _CONTEXT)
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def unseal(value: str, secret: str) -> Session | None:
    """The session in a cookie value, or None when it is not one this key sealed."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        plain = AESGCM(_key(secret)).decrypt(raw[:_NONCE], raw[_NONCE:], _CONTEXT)
        data = json.loads(plain)
        return Session(
            refresh_token=str(data["r"]),
            started=dt.datetime.fromtimestamp(int(data["s"]), dt.UTC),
            token_expires=dt.datetime.fromtimestamp(int(data["e"]), dt.UTC),
        )
    except (InvalidTag, ValueError, KeyError, TypeError):
        return None
