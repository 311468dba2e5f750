"""Staff sign-in on the local stack: the dev users, a stand-in for Cognito's hosted login, and
the HTTP API's JWT authorizer.

- ``seed_staff_users``: one dev user per group of the template's user pool, with a strong
  password that is generated once and then kept (``make dev``) or fresh per run (tests).
- ``DevLogin``: ``/dev/oauth2/authorize``, ``/dev/oauth2/token`` and ``/dev/logout`` do
  locally what the user pool's domain does in AWS (authorization code with PKCE): ``/dev`` is
  the domain's root (the admin function's ``STAFF_AUTH_URL``, to which it appends
  ``/oauth2/authorize``, ``/oauth2/token`` and ``/logout`` as for Cognito); the
  password is checked by the emulator (``InitiateAuth`` with ``USER_PASSWORD_AUTH``) and the
  tokens are the emulator's own. Dev mode only, never deployed.
- ``JwtAuthorizer``: what API Gateway does for a route with a JWT authorizer, configured from
  the template's ``securitySchemes``: the token's signature against the issuer's JWKS, ``iss``,
  ``aud`` (or ``client_id`` when a token has no ``aud``), ``exp``, ``nbf``, ``iat``, the
  route's scopes; the claims go to the function flattened to strings, as API Gateway does.
- ``edge_headers``: what the CloudFront function does in AWS: the session cookie becomes the
  ``Authorization`` header for ``/api/admin/*``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from devstack.devpages import Page
from devstack.provision import Stack, client
from vhtools.template import REGION, http_authorizers, resources

SESSION_COOKIE = "__Host-vh-session"
EDGE_AUTH_PREFIX = "/api/admin/"
# The user pool domain's root, locally; Cognito serves /oauth2/authorize, /oauth2/token and
# /logout under it.
DEV_AUTH_ROOT = "/dev"
DEV_OAUTH = f"{DEV_AUTH_ROOT}/oauth2"
LOGOUT_PATHS = (f"{DEV_AUTH_ROOT}/logout", f"{DEV_OAUTH}/logout")
CODE_LIFETIME = 300  # seconds; Cognito's authorization codes last five minutes
UNAUTHORIZED = json.dumps({"message": "Unauthorized"}).encode()
FORBIDDEN = json.dumps({"message": "Forbidden"}).encode()


# --- The edge: the CloudFront function -----------------------------------------------------


def session_token(cookie_header: str) -> str:
    """The session cookie's value, or '' (a malformed Cookie header counts as none)."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return ""
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else ""


def edge_headers(path: str, headers: Mapping[str, str]) -> dict[str, str]:
    """The request headers as the origin sees them after the CloudFront function: for
    ``/api/admin/*`` without an ``Authorization`` header, the session cookie's token becomes
    ``Authorization: Bearer <token>``. Must do what the deployed function does."""
    result = dict(headers)
    if not path.startswith(EDGE_AUTH_PREFIX):
        return result
    lowered = {k.lower(): v for k, v in result.items()}
    if lowered.get("authorization"):
        return result
    token = session_token(lowered.get("cookie", ""))
    if token:
        result["Authorization"] = f"Bearer {token}"
    return result


# --- The JWT authorizer ---------------------------------------------------------------------


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
        now: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.jwks = jwks
        # Real time, not the simulated clock: the emulator issues tokens in real time.
        self.now = now

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


# --- Dev users ------------------------------------------------------------------------------


def dev_password() -> str:
    """Strong, and meets any Cognito password policy: upper, lower, digit, symbol, 28+."""
    return f"{secrets.token_urlsafe(21)}!Vh7"


def _stored_passwords(path: Path | None) -> dict[str, str]:
    if path is None or not path.is_file():
        return {}
    stored: Any = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in stored.items()} if isinstance(stored, dict) else {}


def _store_passwords(path: Path, passwords: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text(json.dumps(passwords, indent=2) + "\n", encoding="utf-8")


def staff_pool(stack: Stack) -> tuple[str, str]:
    """(logical id, pool id) of the user pool the template's groups belong to."""
    template = stack.resolver.template
    pools = resources(template, "AWS::Cognito::UserPool")
    if len(pools) != 1:
        raise ValueError(f"the local sign-in expects one user pool, the template has {len(pools)}")
    logical_id = next(iter(pools))
    return logical_id, stack.physical[logical_id].ref


def seed_staff_users(
    stack: Stack, house: str, password_file: Path | None = None
) -> dict[str, tuple[str, str]]:
    """One confirmed user per group of the template's pool, in that group only, with a
    permanent password: group -> (username, password). With ``password_file`` a password is
    generated once and kept there (mode 0600, under the git-ignored ``.cache/``), so a browser's
    password manager keeps working across ``make dev`` runs."""
    _, pool_id = staff_pool(stack)
    idp = client("cognito-idp", stack.endpoint)
    stored = _stored_passwords(password_file)
    users: dict[str, tuple[str, str]] = {}
    for logical_id in resources(stack.resolver.template, "AWS::Cognito::UserPoolGroup"):
        group = stack.physical[logical_id].ref
        username = f"{group}@{house}.example.org"
        password = stored.get(username) or dev_password()
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=[
                {"Name": "email", "Value": username},
                {"Name": "email_verified", "Value": "true"},
            ],
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=password, Permanent=True
        )
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
        users[group] = (username, password)
    if password_file is not None:
        wanted = dict(users.values())
        if wanted != {k: stored[k] for k in wanted if k in stored}:
            _store_passwords(password_file, {**stored, **wanted})
    return users


# --- The hosted login's stand-in ------------------------------------------------------------


@dataclass(frozen=True)
class OAuthClient:
    client_id: str
    pool_id: str
    callback_urls: frozenset[str]
    logout_urls: frozenset[str]
    scopes: frozenset[str]


def oauth_clients(stack: Stack, site_url: str) -> dict[str, OAuthClient]:
    """The template's app clients that may use the code flow, as the emulator holds them.
    The local origin's own callback and sign-out page are accepted as well (in AWS they are
    the registered ``${SiteUrl}/...`` URLs; locally ``SiteUrl`` is the gateway anyway)."""
    idp = client("cognito-idp", stack.endpoint)
    found: dict[str, OAuthClient] = {}
    for logical_id in resources(stack.resolver.template, "AWS::Cognito::UserPoolClient"):
        client_id = stack.physical[logical_id].ref
        pool_id = str(
            stack.resolver.resolve(
                stack.resolver.template["Resources"][logical_id]["Properties"]["UserPoolId"]
            )
        )
        described = idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
        settings = described["UserPoolClient"]
        if "code" not in settings.get("AllowedOAuthFlows", []):
            continue
        found[client_id] = OAuthClient(
            client_id=client_id,
            pool_id=pool_id,
            callback_urls=frozenset(
                [*settings.get("CallbackURLs", []), f"{site_url}/api/admin/auth/callback"]
            ),
            logout_urls=frozenset([*settings.get("LogoutURLs", []), f"{site_url}/beheer/"]),
            scopes=frozenset(settings.get("AllowedOAuthScopes", [])),
        )
    return found


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    tokens: dict[str, Any]
    expires: float


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


# No inline script or style: the page is styled by the site's own stylesheets.
_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
_HIDDEN = ("client_id", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method")


def _html(status: int, text: str) -> Page:
    return Page(
        status,
        {
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-store",
            "Content-Security-Policy": _CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
        text.encode("utf-8"),
    )


def _json(status: int, body: Mapping[str, Any]) -> Page:
    return Page(
        status,
        {"Content-Type": "application/json;charset=UTF-8", "Cache-Control": "no-store"},
        json.dumps(body).encode(),
    )


def _redirect(location: str) -> Page:
    return Page(302, {"Location": location, "Cache-Control": "no-store"}, b"")


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _document(title: str, main: str) -> str:
    return f"""<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{_e(title)}</title>
<link rel="stylesheet" href="/assets/stylesheets/site.css">
<link rel="stylesheet" href="/assets/form/form.css">
</head>
<body>
<header><p><a href="/">Naar de site</a></p></header>
<main id="inhoud">
{main}
</main>
</body>
</html>
"""


@dataclass
class DevLogin:
    """Cognito's hosted login, locally: authorize (a Dutch sign-in page), token, logout."""

    endpoint: str
    clients: dict[str, OAuthClient]
    _grants: dict[str, _Grant] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, method: str, path: str, query: str, body: bytes) -> Page | None:
        params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
        if path == f"{DEV_OAUTH}/authorize":
            if method in ("GET", "HEAD"):
                return self.authorize_page(params)
            if method == "POST":
                form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
                return self.sign_in(form)
            return Page(405, {"Allow": "GET, POST"}, b"")
        if path == f"{DEV_OAUTH}/token":
            if method != "POST":
                return Page(405, {"Allow": "POST"}, b"")
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            return self.token(form)
        if path in LOGOUT_PATHS and method in ("GET", "HEAD"):
            return self.logout(params)
        return None

    # -- authorize

    def _request_error(self, params: Mapping[str, str]) -> str:
        """Why an authorization request is refused before anything is shown, or ''. An
        unknown client or redirect address gets an error page, never a redirect."""
        registered = self.clients.get(params.get("client_id", ""))
        if registered is None:
            return "De applicatie (client_id) is niet bekend."
        if params.get("redirect_uri", "") not in registered.callback_urls:
            return "Het terugkeeradres (redirect_uri) is niet geregistreerd voor deze applicatie."
        if params.get("response_type", "code") != "code":
            return "Alleen response_type=code wordt ondersteund."
        if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
            return "Een PKCE code_challenge met code_challenge_method=S256 is verplicht."
        requested = set(params.get("scope", "").split())
        if not requested <= registered.scopes:
            return "De gevraagde scope is niet toegestaan voor deze applicatie."
        return ""

    def _refusal(self, reason: str) -> Page:
        main = (
            "<h1>Inloggen kan niet</h1>"
            f"<p>{_e(reason)}</p>"
            '<p><a href="/beheer/">Terug naar de beheerpagina</a></p>'
        )
        return _html(400, _document("Fout: inloggen kan niet", main))

    def authorize_page(self, params: Mapping[str, str]) -> Page:
        reason = self._request_error(params)
        if reason:
            return self._refusal(reason)
        return _html(200, self.render_form(params))

    def render_form(
        self, params: Mapping[str, str], errors: Mapping[str, str] | None = None, email: str = ""
    ) -> str:
        errors = errors or {}
        hidden = "".join(
            f'<input type="hidden" name="{name}" value="{_e(params.get(name, ""))}">'
            for name in _HIDDEN
        )
        summary = ""
        if errors:
            items = "".join(
                f'<li><a href="#{field_id}">{_e(text)}</a></li>'
                for field_id, text in errors.items()
            )
            summary = (
                '<div class="vh-error-summary" role="alert" tabindex="-1" autofocus '
                'aria-labelledby="fout-titel">'
                '<h2 id="fout-titel">Er is een probleem</h2>'
                f"<ul>{items}</ul></div>"
            )

        def field_html(name: str, label: str, kind: str, autocomplete: str, value: str) -> str:
            error = errors.get(name, "")
            described = f' aria-describedby="{name}-fout" aria-invalid="true"' if error else ""
            message = (
                f'<p class="vh-error-message" id="{name}-fout">'
                f'<span class="vh-visually-hidden">Fout:</span> {_e(error)}</p>'
                if error
                else ""
            )
            return (
                f'<div class="vh-field{" vh-invalid" if error else ""}">'
                f'<label for="{name}">{label}</label>{message}'
                f'<input type="{kind}" id="{name}" name="{name}" autocomplete="{autocomplete}" '
                f'spellcheck="false" required value="{_e(value)}"{described}></div>'
            )

        prefix = "Fout: " if errors else ""
        main = (
            "<h1>Inloggen voor medewerkers</h1>"
            '<p class="vh-hint">Lokale ontwikkelomgeving: dit vervangt de inlogpagina van '
            "Amazon Cognito. De dev-gebruikers staan op de pagina "
            '<a href="/dev/">Ontwikkelomgeving</a>. Een code uit een authenticator-app '
            "wordt lokaal niet gevraagd.</p>"
            f"{summary}"
            f'<form class="vh-form" method="post" action="{DEV_OAUTH}/authorize" '
            'accept-charset="utf-8" novalidate>'
            f"{hidden}"
            f"{field_html('email', 'E-mailadres', 'email', 'username', email)}"
            f"{field_html('password', 'Wachtwoord', 'password', 'current-password', '')}"
            '<div class="vh-actions"><button type="submit" class="md-button md-button--primary">'
            "Inloggen</button></div></form>"
        )
        return _document(f"{prefix}Inloggen voor medewerkers", main)

    def sign_in(self, form: Mapping[str, str]) -> Page:
        reason = self._request_error(form)
        if reason:
            return self._refusal(reason)
        email = form.get("email", "").strip()
        password = form.get("password", "")
        errors: dict[str, str] = {}
        if not email:
            errors["email"] = "Vul uw e-mailadres in."
        if not password:
            errors["password"] = "Vul uw wachtwoord in."  # noqa: S105 - an error text
        if errors:
            return _html(400, self.render_form(form, errors, email))
        registered = self.clients[form["client_id"]]
        idp = client("cognito-idp", self.endpoint)
        try:
            result = idp.initiate_auth(
                ClientId=registered.client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": email, "PASSWORD": password},
            )
        except (
            idp.exceptions.NotAuthorizedException,
            idp.exceptions.UserNotFoundException,
        ):
            # One message for both: which e-mail addresses exist is not revealed
            # (PreventUserExistenceErrors).
            errors["email"] = "Het e-mailadres of het wachtwoord is niet juist."
            return _html(401, self.render_form(form, errors, email))
        tokens = result.get("AuthenticationResult")
        if not tokens:
            return self._refusal(
                f"De lokale inlogpagina ondersteunt de stap {result.get('ChallengeName')} niet."
            )
        code = secrets.token_urlsafe(32)
        with self._lock:
            now = time.monotonic()
            for stale in [c for c, g in self._grants.items() if g.expires <= now]:
                del self._grants[stale]
            self._grants[code] = _Grant(
                client_id=registered.client_id,
                redirect_uri=form["redirect_uri"],
                challenge=form["code_challenge"],
                tokens={
                    "id_token": tokens["IdToken"],
                    "access_token": tokens["AccessToken"],
                    "refresh_token": tokens["RefreshToken"],
                    "expires_in": int(tokens["ExpiresIn"]),
                    "token_type": "Bearer",
                },
                expires=now + CODE_LIFETIME,
            )
        answer = {"code": code, **({"state": form["state"]} if form.get("state") else {})}
        separator = "&" if "?" in form["redirect_uri"] else "?"
        return _redirect(f"{form['redirect_uri']}{separator}{urlencode(answer)}")

    # -- token

    def token(self, form: Mapping[str, str]) -> Page:
        if form.get("grant_type") != "authorization_code":
            return _json(400, {"error": "unsupported_grant_type"})
        if form.get("client_id", "") not in self.clients:
            return _json(400, {"error": "invalid_client"})
        with self._lock:
            # One-time: the code is gone after this request, whatever its outcome.
            grant = self._grants.pop(form.get("code", ""), None)
        if grant is None or grant.expires <= time.monotonic():
            return _json(400, {"error": "invalid_grant"})
        if grant.client_id != form["client_id"] or grant.redirect_uri != form.get("redirect_uri"):
            return _json(400, {"error": "invalid_grant"})
        verifier = form.get("code_verifier", "")
        if not verifier or not secrets.compare_digest(_s256(verifier), grant.challenge):
            return _json(400, {"error": "invalid_grant"})
        return _json(200, grant.tokens)

    # -- logout

    def logout(self, params: Mapping[str, str]) -> Page:
        registered = self.clients.get(params.get("client_id", ""))
        if registered is None:
            return self._refusal("De applicatie (client_id) is niet bekend.")
        target = params.get("logout_uri", "")
        if target not in registered.logout_urls:
            return self._refusal("Het adres na uitloggen (logout_uri) is niet geregistreerd.")
        return _redirect(target)


def code_flow_tokens(base_url: str, client_id: str, username: str, password: str) -> dict[str, Any]:
    """Sign in through the local hosted login as a browser would (authorization code with
    PKCE, redirect URI the local callback) and exchange the code: Cognito's token answer.
    For tests and scripts; the callback itself is not called."""
    verifier = secrets.token_urlsafe(48)
    redirect_uri = f"{base_url}/api/admin/auth/callback"
    form = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": "openid email profile",
        "state": secrets.token_urlsafe(8),
        "code_challenge": _s256(verifier),
        "code_challenge_method": "S256",
        "email": username,
        "password": password,
    }

    class _Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(_Stay)
    sign_in = urllib.request.Request(  # noqa: S310 - the local gateway
        f"{base_url}{DEV_OAUTH}/authorize", data=urlencode(form).encode(), method="POST"
    )
    try:
        opener.open(sign_in, timeout=10).close()
        raise RuntimeError("the sign-in page did not redirect")
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            raise RuntimeError(f"signing in failed with status {answer.code}") from None
        location = answer.headers["Location"]
    code = parse_qs(location.partition("?")[2])["code"][0]
    exchange = urllib.request.Request(  # noqa: S310 - the local gateway
        f"{base_url}{DEV_OAUTH}/token",
        data=urlencode(
            {
                "grant_type": "authorization_code",
                "client_id": client_id,
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            }
        ).encode(),
        method="POST",
    )
    with urllib.request.urlopen(exchange, timeout=10) as response:  # noqa: S310
        tokens: dict[str, Any] = json.loads(response.read())
    return tokens
