"""moto's Cognito, made to issue tokens as the template's app client says and on the
simulated clock.

moto 5.2 signs every token for one hour of real time (``CognitoIdpUserPool.create_jwt``
reads ``time.time()`` and defaults ``expires_in`` to 3600), whatever the client's
``IdTokenValidity``, ``AccessTokenValidity`` and ``TokenValidityUnits``. Cognito in AWS uses
the client's settings. Locally a token lives as long as in AWS, and ``iat``/``exp`` are on
the simulated clock that the gateway's JWT authorizer (``devstack.authorizer``) also reads,
so moving the clock past a token's end expires it as time would.
"""

from __future__ import annotations

import threading
from typing import Any

from devstack.clock import _ShiftedTime

# Cognito's units and defaults (a client without TokenValidityUnits counts in hours).
_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_FIELDS = {"id": ("IdTokenValidity", "IdToken"), "access": ("AccessTokenValidity", "AccessToken")}
DEFAULT_LIFETIME = 3600


def token_lifetime(client_config: dict[str, Any], token_use: str) -> int:
    """Seconds an ID or access token of a client with these settings lives in AWS."""
    if token_use not in _FIELDS:
        return DEFAULT_LIFETIME
    field, unit_key = _FIELDS[token_use]
    if field not in client_config:
        return DEFAULT_LIFETIME
    unit = client_config.get("TokenValidityUnits", {}).get(unit_key, "hours")
    return int(client_config[field]) * _UNITS[unit]


_patched = False
_lock = threading.Lock()


def patch_moto_tokens() -> None:
    """Tokens with the client's lifetimes, on the simulated clock (idempotent)."""
    global _patched  # noqa: PLW0603 - one emulator per process, patched once
    with _lock:
        if _patched:
            return
        from moto.cognitoidp import models

        original = models.CognitoIdpUserPool.create_jwt

        def create_jwt(
            self: Any,
            client_id: str,
            username: str,
            token_use: str,
            *,
            expires_in: int = DEFAULT_LIFETIME,
            extra_data: dict[str, Any] | None = None,
        ) -> tuple[str, int]:
            client = self.clients.get(client_id)
            if client is not None:
                expires_in = token_lifetime(client.extended_config, token_use)
            token: tuple[str, int] = original(
                self, client_id, username, token_use, expires_in, extra_data
            )
            return token

        setattr(models.CognitoIdpUserPool, "create_jwt", create_jwt)  # noqa: B010
        setattr(models, "time", _ShiftedTime())  # noqa: B010 - typed as a module
        _patched = True
