"""A stand-in for Cognito's hosted login on the local stack (dev mode only, never deployed).

``/dev/oauth2/authorize``, ``/dev/oauth2/token``, ``/dev/oauth2/revoke`` and ``/dev/logout`` do
locally what the user pool's domain does in AWS (authorization code with PKCE, the
``refresh_token`` grant, revocation): ``/dev`` is the domain's root (the sign-in function's
``STAFF_AUTH_URL``, to which it appends ``/oauth2/...`` and ``/logout`` as for Cognito); the
password is checked by the emulator (``InitiateAuth`` with ``USER_PASSWORD_AUTH``) and the ID
and access tokens are the emulator's own.

Refresh tokens are kept as strictly as Cognito keeps them, which moto does not (its refresh
tokens never expire, are never rotated and cannot be revoked one by one): the browser side
gets an opaque token of this stand-in that ends at the client's ``RefreshTokenValidity`` on
the simulated clock, is replaced by a new one on each use when the client has
``RefreshTokenRotation`` enabled (the old one is void at once; a rotated token keeps the
first one's end), and is void after ``/oauth2/revoke``. Behind it, the emulator's own refresh
token (``REFRESH_TOKEN_AUTH``) signs the new ID and access tokens.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from devstack.page import Page, document, escape, html_page
from devstack.provision import Stack, client
from vhcore import clock as domain_clock
from vhtools.template import resources

# The user pool domain's root, locally; Cognito serves /oauth2/authorize, /oauth2/token and
# /logout under it.
DEV_AUTH_ROOT = "/dev"
DEV_OAUTH = f"{DEV_AUTH_ROOT}/oauth2"
LOGOUT_PATHS = (f"{DEV_AUTH_ROOT}/logout", f"{DEV_OAUTH}/logout")
CODE_LIFETIME = 300  # seconds; Cognito's authorization codes last five minutes


@dataclass(frozen=True)
class OAuthClient:
    client_id: str
    pool_id: str
    callback_urls: frozenset[str]
    logout_urls: frozenset[str]
    scopes: frozenset[str]
    refresh_lifetime: dt.timedelta = dt.timedelta(days=30)
    rotation: bool = False
    retry_grace: dt.timedelta = dt.timedelta(0)


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
            refresh_lifetime=_refresh_lifetime(settings),
            rotation=settings.get("RefreshTokenRotation", {}).get("Feature") == "ENABLED",
            retry_grace=dt.timedelta(
                seconds=int(
                    settings.get("RefreshTokenRotation", {}).get("RetryGracePeriodSeconds", 0)
                )
            ),
        )
    return found


def _refresh_lifetime(settings: Mapping[str, Any]) -> dt.timedelta:
    """A client's ``RefreshTokenValidity`` in its unit (Cognito's default: 30 days)."""
    unit = settings.get("TokenValidityUnits", {}).get("RefreshToken", "days")
    return dt.timedelta(**{unit: int(settings.get("RefreshTokenValidity", 30))})


@dataclass
class _Refresh:
    client_id: str
    upstream: str  # the emulator's own refresh token
    expires: dt.datetime  # on the simulated clock
    void_after: dt.datetime | None = None  # once used with rotation: the end of its grace


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    tokens: dict[str, Any]
    expires: float


# No inline script or style: the page is styled by the site's own stylesheets.
_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
_HIDDEN = ("client_id", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method")


_HEADERS = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _html(status: int, text: str) -> Page:
    return html_page(status, text, _HEADERS)


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


_STYLESHEETS = (
    '<link rel="stylesheet" href="/assets/stylesheets/site.css">\n'
    '<link rel="stylesheet" href="/assets/form/form.css">'
)


def _document(title: str, main: str) -> str:
    return document(title, _STYLESHEETS, main, ' id="inhoud"')


@dataclass
class DevLogin:
    """Cognito's hosted login, locally: authorize (a Dutch sign-in page), token, logout."""

    endpoint: str
    clients: dict[str, OAuthClient]
    _grants: dict[str, _Grant] = field(default_factory=dict)
    _refresh: dict[str, _Refresh] = field(default_factory=dict)
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
        if path == f"{DEV_OAUTH}/revoke":
            if method != "POST":
                return Page(405, {"Allow": "POST"}, b"")
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            return self.revoke(form)
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
            f"<p>{escape(reason)}</p>"
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
            f'<input type="hidden" name="{name}" value="{escape(params.get(name, ""))}">'
            for name in _HIDDEN
        )
        summary = ""
        if errors:
            items = "".join(
                f'<li><a href="#{field_id}">{escape(text)}</a></li>'
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
                f'<span class="vh-visually-hidden">Fout:</span> {escape(error)}</p>'
                if error
                else ""
            )
            return (
                f'<div class="vh-field{" vh-invalid" if error else ""}">'
                f'<label for="{name}">{label}</label>{message}'
                f'<input type="{kind}" id="{name}" name="{name}" autocomplete="{autocomplete}" '
                f'spellcheck="false" required value="{escape(value)}"{described}></div>'
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
                    "refresh_token": self._issue_refresh(
                        registered.client_id,
                        tokens["RefreshToken"],
                        domain_clock.now() + registered.refresh_lifetime,
                    ),
                    "expires_in": int(tokens["ExpiresIn"]),
                    "token_type": "Bearer",
                },
                expires=now + CODE_LIFETIME,
            )
        answer = {"code": code, **({"state": form["state"]} if form.get("state") else {})}
        separator = "&" if "?" in form["redirect_uri"] else "?"
        return _redirect(f"{form['redirect_uri']}{separator}{urlencode(answer)}")

    # -- token

    def _issue_refresh(self, client_id: str, upstream: str, expires: dt.datetime) -> str:
        """A new opaque refresh token for the browser side (the caller holds the lock or
        is alone with the grant)."""
        now = domain_clock.now()
        for stale in [
            h
            for h, r in self._refresh.items()
            if r.expires <= now or (r.void_after is not None and r.void_after <= now)
        ]:
            del self._refresh[stale]
        handle = secrets.token_urlsafe(48)
        self._refresh[handle] = _Refresh(client_id=client_id, upstream=upstream, expires=expires)
        return handle

    def refresh(self, form: Mapping[str, str]) -> Page:
        """The ``refresh_token`` grant: new ID and access tokens and, with rotation, a new
        refresh token in place of the one used."""
        registered = self.clients[form["client_id"]]
        handle = form.get("refresh_token", "")
        now = domain_clock.now()
        with self._lock:
            held = self._refresh.get(handle)
            if held is None or held.client_id != registered.client_id:
                return _json(400, {"error": "invalid_grant"})
            if held.expires <= now or (held.void_after is not None and held.void_after <= now):
                del self._refresh[handle]
                return _json(400, {"error": "invalid_grant"})
            if registered.rotation and held.void_after is None:
                # Rotated: void at once, or after the client's grace for a retry.
                held.void_after = now + registered.retry_grace
                if not registered.retry_grace:
                    del self._refresh[handle]
        idp = client("cognito-idp", self.endpoint)
        try:
            result = idp.initiate_auth(
                ClientId=registered.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": held.upstream},
            )["AuthenticationResult"]
        except idp.exceptions.NotAuthorizedException:
            return _json(400, {"error": "invalid_grant"})
        answer: dict[str, Any] = {
            "id_token": result["IdToken"],
            "access_token": result["AccessToken"],
            "expires_in": int(result["ExpiresIn"]),
            "token_type": "Bearer",
        }
        if registered.rotation:
            with self._lock:
                answer["refresh_token"] = self._issue_refresh(
                    registered.client_id, held.upstream, held.expires
                )
        return _json(200, answer)

    def revoke(self, form: Mapping[str, str]) -> Page:
        """``/oauth2/revoke``: the refresh token is void from now on, and so are the ones
        rotated out before it that are still in their grace."""
        registered = self.clients.get(form.get("client_id", ""))
        if registered is None:
            return _json(400, {"error": "invalid_client"})
        with self._lock:
            held = self._refresh.get(form.get("token", ""))
            if held is not None and held.client_id != registered.client_id:
                return _json(400, {"error": "unauthorized_client"})
            if held is not None:
                for handle in [h for h, r in self._refresh.items() if r.upstream == held.upstream]:
                    del self._refresh[handle]
        return Page(200, {"Cache-Control": "no-store"}, b"")

    def token(self, form: Mapping[str, str]) -> Page:
        if form.get("grant_type") not in ("authorization_code", "refresh_token"):
            return _json(400, {"error": "unsupported_grant_type"})
        if form.get("client_id", "") not in self.clients:
            return _json(400, {"error": "invalid_client"})
        if form["grant_type"] == "refresh_token":
            return self.refresh(form)
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
