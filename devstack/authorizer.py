"""The HTTP API's JWT authorizer on the local stack: what API Gateway does for a route with a
JWT authorizer, configured from the template's ``securitySchemes``: the token's signature
against the issuer's JWKS, ``iss``, ``aud`` (or ``client_id`` when a token has no ``aud``),
``exp``, ``nbf``, ``iat``, the route's scopes; the claims go to the function flattened to
strings, as API Gateway does."""

from __future__ import annotations

import base64
import json
import threading
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from devstack.provision import Stack
from vhcore import clock as domain_clock
from vhtools.template import REGION, http_authorizers

UNAUTHORIZED = json.dumps({"message": "Unauthorized"}).encode()
FORBIDDEN = json.dumps({"message": "Forbidden"}).encode()


@dataclass(frozen=True)
class JwtConfiguration:
    name: str
    issuer: str
    audience: frozenset[str]
    identity_source: str


def jwt_configurations(stack: Stack) -> dict[str, JwtConfiguration]:
    """Every JWT authorizer of the template's HTTP APIs, resolved against the local stack."""
    configurations: dict[str, JwtConfiguration] = {}
    for name, declared in http_authorizers(stack.resolver.template).items():
        if declared.get("type") != "jwt":
            raise ValueError(f"authorizer {name}: only JWT authorizers run locally")
        config = stack.resolver.resolve(declared["jwtConfiguration"])
        configurations[name] = JwtConfiguration(
            name=name,
            issuer=str(config["issuer"]),
            audience=frozenset(str(a) for a in config.get("audience", [])),
            identity_source=str(declared["identitySource"]),
        )
    return configurations


class Unauthorized(Exception):
    """The token is missing or not valid: API Gateway answers 401 itself."""

    def __init__(self, description: str = "") -> None:
        super().__init__(description or "no token")
        self.description = description

    @property
    def challenge(self) -> str:
        """The ``WWW-Authenticate`` header API Gateway sends with the 401."""
        if not self.description:
            return "Bearer"
        return f'Bearer scope="" error="invalid_token" error_description="{self.description}"'


class InsufficientScope(Exception):
    """A valid token without a scope the route requires: API Gateway answers 403."""

    challenge = 'Bearer scope="" error="insufficient_scope" error_description="insufficient scope"'


def flatten_claim(value: Any) -> str:
    """How API Gateway passes a claim to the function: always a string; arrays as
    ``[a b]``, objects as ``map[k:v]`` (Go's formatting), booleans as ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(flatten_claim(v) for v in value) + "]"
    if isinstance(value, dict):
        inner = " ".join(f"{k}:{flatten_claim(v)}" for k, v in sorted(value.items()))
        return f"map[{inner}]"
    if value is None:
        return ""
    return str(value)


def flatten_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    return {name: flatten_claim(value) for name, value in claims.items()}


class Jwks:
    """The issuers' signing keys, fetched once per issuer and kept.

    In AWS, API Gateway fetches ``{issuer}/.well-known/jwks.json``. A Cognito issuer is
    ``https://cognito-idp.{region}.amazonaws.com/{pool id}`` in AWS and in moto alike (moto
    writes exactly that into ``iss``), so the issuer is compared as the template computes it;
    only where the keys are fetched from differs: the emulator serves them at
    ``{endpoint}/{pool id}/.well-known/jwks.json``."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint.rstrip("/")
        self._keys: dict[str, KeySet] = {}
        self._lock = threading.Lock()

    def url(self, issuer: str) -> str:
        prefix = f"https://cognito-idp.{REGION}.amazonaws.com/"
        if not issuer.startswith(prefix) or "/" in issuer[len(prefix) :]:
            raise ValueError(f"issuer {issuer}: only this region's Cognito pools run locally")
        return f"{self.endpoint}/{issuer[len(prefix) :]}/.well-known/jwks.json"

    def keys(self, issuer: str) -> KeySet:
        with self._lock:
            if issuer not in self._keys:
                with urllib.request.urlopen(self.url(issuer), timeout=10) as response:  # noqa: S310 - the emulator
                    self._keys[issuer] = KeySet.import_key_set(json.loads(response.read()))
            return self._keys[issuer]


def _segment(part: str) -> dict[str, Any]:
    decoded: Any = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    if not isinstance(decoded, dict):
        raise ValueError("not a JSON object")
    return decoded


class JwtAuthorizer:
    """One JWT authorizer, as API Gateway runs it for an HTTP API route."""

    def __init__(
        self,
        config: JwtConfiguration,
        jwks: Jwks,
        now: Callable[[], float] | None = None,
    ) -> None:
        self.config = config
        self.jwks = jwks
        # The simulated clock: the emulator issues tokens on it too (devstack.cognito).
        self.now = now or (lambda: domain_clock.now().timestamp())

    def token(self, headers: Mapping[str, str], query: Mapping[str, str]) -> str:
        source = self.config.identity_source
        lowered = {k.lower(): v for k, v in headers.items()}
        if source.startswith("$request.header."):
            value = lowered.get(source.removeprefix("$request.header.").lower(), "")
        elif source.startswith("$request.querystring."):
            value = query.get(source.removeprefix("$request.querystring."), "")
        else:
            raise ValueError(f"authorizer {self.config.name}: identity source {source}")
        value = value.strip()
        # API Gateway takes the token with or without the Bearer prefix.
        if value[:7].lower() == "bearer ":
            value = value[7:].strip()
        return value

    def authorize(
        self,
        headers: Mapping[str, str],
        query: Mapping[str, str] | None = None,
        scopes: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """``requestContext.authorizer.jwt`` for a valid token; Unauthorized (401) or
        InsufficientScope (403) otherwise."""
        token = self.token(headers, query or {})
        if not token:
            raise Unauthorized()
        claims = self.validate(token)
        granted = str(claims.get("scope", "")).split()
        if scopes and not set(scopes) & set(granted):
            raise InsufficientScope()
        return {"claims": flatten_claims(claims), "scopes": granted or None}

    def validate(self, token: str) -> dict[str, Any]:
        """The token's claims, after every check API Gateway makes."""
        parts = token.split(".")
        if len(parts) != 3:
            raise Unauthorized("the token is malformed")
        try:
            header = _segment(parts[0])
        except ValueError as exc:
            raise Unauthorized("the token is malformed") from exc
        if header.get("alg") != "RS256":  # the only algorithm API Gateway accepts
            raise Unauthorized("signing method is invalid")
        try:
            decoded = jwt.decode(token, self.jwks.keys(self.config.issuer), algorithms=["RS256"])
        except (JoseError, ValueError) as exc:
            # A key id that is not in the JWKS, or a signature that does not verify.
            raise Unauthorized("the token signature is invalid") from exc
        claims = dict(decoded.claims)
        if claims.get("iss") != self.config.issuer:
            raise Unauthorized("the token does not have a valid issuer")
        # API Gateway checks aud, and client_id only when a token has no aud (access tokens).
        audience = claims["aud"] if "aud" in claims else claims.get("client_id")
        audiences = audience if isinstance(audience, list) else [audience]
        if not any(isinstance(a, str) and a in self.config.audience for a in audiences):
            raise Unauthorized("the token does not have a valid audience")
        now = self.now()
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp <= now:
            raise Unauthorized("the token has expired")
        nbf = claims.get("nbf")
        if nbf is not None and (not isinstance(nbf, int | float) or nbf > now):
            raise Unauthorized("the token is not valid yet")
        iat = claims.get("iat")
        if iat is not None and (not isinstance(iat, int | float) or iat > now):
            raise Unauthorized("the token is not valid yet")
        # Stricter than API Gateway, never different in practice: every JWT a Cognito pool
        # issues says whether it is an ID or an access token.
        if claims.get("token_use") not in ("id", "access"):
            raise Unauthorized("the token is not an ID or access token")
        return claims


def authorizers(stack: Stack) -> dict[str, JwtAuthorizer]:
    jwks = Jwks(stack.endpoint)
    return {name: JwtAuthorizer(config, jwks) for name, config in jwt_configurations(stack).items()}
