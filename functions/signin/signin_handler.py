"""Staff sign-in (/api/admin/auth/...): OAuth 2.0 authorization code with PKCE against the
house's Cognito hosted login; the session is the ID token in an HttpOnly cookie, renewed for a
working day with Cognito's refresh token, which the browser keeps only sealed
(``signin.session``) in a second HttpOnly cookie and which is rotated on each renewal.

These routes are public (no authorizer), so they run apart from the staff API: this function
may not read the tables or decrypt anything. The calls it makes go to Cognito's token and
revocation endpoints over HTTPS, which need no AWS rights. A route that starts or renews a
session (the callback, ``refresh``) asks ``_token_request`` for tokens and sets them with
``_session_cookies``; sign-out revokes the refresh token.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import secrets
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseHeader
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from aws_lambda_powertools.utilities.typing import LambdaContext

from signin.session import MESSAGES, Ended, Session, seal, unseal
from vhcore import clock
from vhcore.http import Problem, not_through_cloudfront
from vhcore.log import logger
from vhcore.resolver import documented, install_error_handlers
from vhcore.settings import settings as function_settings

SESSION_COOKIE = "__Host-vh-session"
# The sealed refresh token. A __Host- cookie must have Path=/, so it cannot be scoped to
# /api/admin/auth/; the CloudFront function only reads the session cookie.
REFRESH_COOKIE = "__Host-vh-refresh"
LOGIN_COOKIE = "__Host-vh-login"
# Readable by the staff page (no secret in it): whether a session was started, so the page of
# someone who never signed in shows "Inloggen" without asking the API first (which would
# answer 401, an error in the browser's console, for every visitor). Its value is the moment
# (Unix seconds) the ID token runs out, so the page renews it before then.
SIGNED_IN_COOKIE = "__Host-vh-signed-in"
PREFIX = "/api/admin/auth"
STAFF_PAGE = "/beheer/"
REFERENCE = re.compile(r"VH-[A-Z0-9]{4}-[A-Z0-9]{4}")
LOGIN_LIFETIME = 600  # seconds to finish signing in at the hosted login

app = APIGatewayHttpResolver(enable_validation=True)
install_error_handlers(app, logger, audience="staff")


# --- Settings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInSettings:
    client_id: str  # STAFF_CLIENT_ID: the user pool client of the staff page
    auth_url: str  # STAFF_AUTH_URL: the hosted login's domain, without a trailing slash
    site_url: str  # SITE_URL: where the site and the API are served, without a trailing slash
    session_secret: str  # SESSION_SECRET: the key of the refresh cookie

    @property
    def callback_url(self) -> str:
        return f"{self.site_url}{PREFIX}/callback"


def settings() -> SignInSettings:
    """What sign-in needs of the function's settings (``vhcore.settings``), all present."""
    current = function_settings().require(
        "staff_client_id", "staff_auth_url", "site_url", "session_secret"
    )
    return SignInSettings(
        client_id=current.value("staff_client_id"),
        auth_url=current.value("staff_auth_url").rstrip("/"),
        site_url=current.site,
        session_secret=current.value("session_secret"),
    )


# --- Answers and cookies ----------------------------------------------------------------------


def redirect(description: str) -> OpenAPIResponse:
    """A redirect answer for the OpenAPI document: no body, a Location."""
    location: OpenAPIResponseHeader = {"schema": {"type": "string", "maxLength": 2048}}
    return {"description": description, "content": {}, "headers": {"Location": location}}


def _problem(status: int, message: str) -> Response[str]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=Problem(message=message).model_dump_json(exclude_none=True),
        headers={"Cache-Control": "no-store"},
    )


def _cookie(
    name: str,
    value: str,
    max_age: int,
    same_site: SameSite = SameSite.STRICT_MODE,
    *,
    http_only: bool = True,
) -> Cookie:
    return Cookie(
        name=name,
        value=value,
        path="/",
        secure=True,
        http_only=http_only,
        max_age=max_age,
        same_site=same_site,
    )


def _redirect(location: str, cookies: list[Cookie], status: int = 302) -> Response[str]:
    return Response(
        status_code=status,
        headers={"Location": location, "Cache-Control": "no-store"},
        cookies=cookies,
        body="",
    )


def _session_cookies(
    config: SignInSettings, tokens: dict[str, Any], started: dt.datetime | None = None
) -> list[Cookie]:
    """The session from a token answer: the ID token (it names the person for the audit log
    and carries the groups; the JWT authorizer checks it against the client as its audience)
    for as long as it lives; the sealed refresh token and the page's hint (when the ID token
    runs out) until the end of the working day that began at ``started`` (now: a sign-in)."""
    now = clock.now()
    lifetime = int(tokens.get("expires_in", 300))
    session = Session(
        refresh_token=str(tokens["refresh_token"]),
        started=started or now,
        token_expires=now + dt.timedelta(seconds=lifetime),
    )
    day = session.cookie_lifetime(now)
    return [
        _cookie(SESSION_COOKIE, str(tokens["id_token"]), lifetime),
        _cookie(REFRESH_COOKIE, seal(session, config.session_secret), day),
        _cookie(
            SIGNED_IN_COOKIE, str(int(session.token_expires.timestamp())), day, http_only=False
        ),
    ]


def _ended_session() -> list[Cookie]:
    return [
        _cookie(SESSION_COOKIE, "", 0),
        _cookie(REFRESH_COOKIE, "", 0),
        _cookie(SIGNED_IN_COOKIE, "", 0, http_only=False),
    ]


def _request_cookie(name: str) -> str:
    cookies = app.current_event.cookies or []
    return next((c.split("=", 1)[1] for c in cookies if c.startswith(f"{name}=")), "")


# --- Cognito's token endpoint -----------------------------------------------------------------


# Seconds for the connection to the token endpoint, and again for its answer: both fit in the
# function's timeout (tests/infrastructure/test_timeouts.py).
TOKEN_TIMEOUT = 5


def _post(config: SignInSettings, endpoint: str, form: dict[str, str]) -> bytes:
    """POST a form (with the client id) to one of Cognito's OAuth endpoints: the body.
    Raises OSError (an HTTPError too) when it cannot be reached or refuses."""
    data = urllib.parse.urlencode({"client_id": config.client_id, **form}).encode()
    request = urllib.request.Request(  # noqa: S310 - the house's own Cognito domain
        f"{config.auth_url}/oauth2/{endpoint}",
        data=data,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TOKEN_TIMEOUT) as response:  # noqa: S310
        body: bytes = response.read()
    return body


def _token_request(config: SignInSettings, grant: dict[str, str]) -> dict[str, Any]:
    """POST one grant (``grant_type`` and its fields) to the token endpoint: Cognito's answer.
    Raises OSError or ValueError when the endpoint cannot be reached or refuses."""
    tokens: dict[str, Any] = json.loads(_post(config, "token", grant))
    return tokens


def _revoke(config: SignInSettings, session: Session | None) -> None:
    """Revoke the session's refresh token at Cognito (and the tokens issued with it); a
    failure is logged and does not keep anyone signed in: the cookies go either way."""
    if session is None:
        return
    try:
        _post(config, "revoke", {"token": session.refresh_token})
    except OSError:
        logger.warning("revoking the refresh token failed")


def _current_session(config: SignInSettings) -> Session | None:
    value = _request_cookie(REFRESH_COOKIE)
    return unseal(value, config.session_secret) if value else None


# --- Routes -----------------------------------------------------------------------------------


@app.get(
    f"{PREFIX}/login",
    summary="Start signing in (redirects to the login page)",
    responses={302: redirect("To the login page")},
)
def login(
    aanmelding: Annotated[
        str,
        Query(
            max_length=20,
            pattern=r"^(VH-[A-Z0-9]{4}-[A-Z0-9]{4})?$",
            description="The case to open after signing in (a reference; a deep link).",
        ),
    ] = "",
) -> Response[str]:
    config = settings()
    state = secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": config.client_id,
            "redirect_uri": config.callback_url,
            "scope": "openid email profile",
            "state": state,
            "code_challenge": challenge.decode(),
            "code_challenge_method": "S256",
        }
    )
    # Lax: the login page sends the browser back here from another site.
    return _redirect(
        f"{config.auth_url}/oauth2/authorize?{query}",
        [
            _cookie(
                LOGIN_COOKIE,
                f"{state}.{verifier}.{aanmelding}",
                LOGIN_LIFETIME,
                SameSite.LAX_MODE,
            )
        ],
    )


@app.get(
    f"{PREFIX}/callback",
    summary="Finish signing in (sets the session cookie)",
    responses=documented({302: redirect("Signed in: to the staff page")}, 400, 422),
)
def callback(
    code: Annotated[str, Query(max_length=512)] = "",
    state: Annotated[str, Query(max_length=128)] = "",
) -> Response[str]:
    expected_state, _, rest = _request_cookie(LOGIN_COOKIE).partition(".")
    verifier, _, reference = rest.partition(".")
    if not code or not state or not secrets.compare_digest(state.encode(), expected_state.encode()):
        return _problem(400, "Het inloggen is verlopen of niet gelukt. Probeer het opnieuw.")
    config = settings()
    grant = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": config.callback_url,
        "code_verifier": verifier,
    }
    try:
        tokens = _token_request(config, grant)
    except (OSError, ValueError):
        logger.warning("token exchange failed")
        return _problem(400, "Het inloggen is niet gelukt. Probeer het opnieuw.")
    done = _cookie(LOGIN_COOKIE, "", 0, SameSite.LAX_MODE)
    # Back to the case the person was sent to (a reference only: nothing else is echoed).
    target = f"{STAFF_PAGE}#{reference}" if REFERENCE.fullmatch(reference) else STAFF_PAGE
    if "refresh_token" not in tokens:
        logger.warning("token exchange gave no refresh token")
        return _problem(400, "Het inloggen is niet gelukt. Probeer het opnieuw.")
    return _redirect(target, [*_session_cookies(config, tokens), done])


def _session_over(ended: Ended) -> Response[str]:
    response = _problem(401, MESSAGES[ended])
    response.cookies.extend(_ended_session())
    return response


@app.post(
    f"{PREFIX}/refresh",
    summary="Renew the session (new cookies, the refresh token rotated)",
    responses=documented({204: {"description": "Renewed: new cookies", "content": {}}}, 401),
)
def refresh() -> Response[str]:
    config = settings()
    session = _current_session(config)
    if session is None:
        return _session_over(Ended.MISSING)
    if (ended := session.ended(clock.now())) is not None:
        logger.info("session ended", reason=ended.value)
        _revoke(config, session)
        return _session_over(ended)
    try:
        tokens = _token_request(
            config, {"grant_type": "refresh_token", "refresh_token": session.refresh_token}
        )
    except (OSError, ValueError):
        # Revoked (signed out elsewhere), rotated already, or past Cognito's own limit.
        logger.info("session ended", reason=Ended.REFUSED.value)
        return _session_over(Ended.REFUSED)
    # Without rotation Cognito gives no new refresh token: the old one stays valid.
    tokens.setdefault("refresh_token", session.refresh_token)
    return Response(
        status_code=204,
        headers={"Cache-Control": "no-store"},
        cookies=_session_cookies(config, tokens, started=session.started),
        body="",
    )


@app.post(
    f"{PREFIX}/logout",
    summary="Sign out (revokes the refresh token, clears the session)",
    responses={303: redirect("To the login page's sign-out")},
)
def logout() -> Response[str]:
    config = settings()
    _revoke(config, _current_session(config))
    query = urllib.parse.urlencode(
        {"client_id": config.client_id, "logout_uri": f"{config.site_url}{STAFF_PAGE}"}
    )
    response = _redirect(f"{config.auth_url}/logout?{query}", _ended_session(), status=303)
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True
)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if (refused := not_through_cloudfront(event, function_settings().origin_secret)) is not None:
        return refused
    # No route takes a body: whatever is sent is never read.
    return app.resolve(event, context)
