"""Staff sign-in (/api/admin/auth/...): OAuth 2.0 authorization code with PKCE against the
house's Cognito hosted login; the session is the ID token in an HttpOnly cookie.

These routes are public (no authorizer), so they run apart from the staff API: this function
may not read the tables or decrypt anything. The one call it makes is to Cognito's token
endpoint over HTTPS, which needs no AWS rights. A route that starts a session (the callback;
a refresh later) asks ``_token_request`` for tokens and sets them with ``_session_cookies``.
"""

from __future__ import annotations

import base64
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

from vhcore.http import Problem, not_through_cloudfront
from vhcore.log import logger
from vhcore.resolver import documented, install_error_handlers
from vhcore.settings import settings as function_settings

SESSION_COOKIE = "__Host-vh-session"
LOGIN_COOKIE = "__Host-vh-login"
# Readable by the staff page (no secret in it): whether a session was started, so the page of
# someone who never signed in shows "Inloggen" without asking the API first (which would
# answer 401, an error in the browser's console, for every visitor).
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

    @property
    def callback_url(self) -> str:
        return f"{self.site_url}{PREFIX}/callback"


def settings() -> SignInSettings:
    """What sign-in needs of the function's settings (``vhcore.settings``), all present."""
    current = function_settings().require("staff_client_id", "staff_auth_url", "site_url")
    return SignInSettings(
        client_id=current.value("staff_client_id"),
        auth_url=current.value("staff_auth_url").rstrip("/"),
        site_url=current.site,
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


def _session_cookies(tokens: dict[str, Any]) -> list[Cookie]:
    """The session from a token answer: the ID token (it names the person for the audit log
    and carries the groups; the JWT authorizer checks it against the client as its audience)
    and the page's hint, both for as long as the token lives."""
    lifetime = int(tokens.get("expires_in", 3600))
    return [
        _cookie(SESSION_COOKIE, str(tokens["id_token"]), lifetime),
        _cookie(SIGNED_IN_COOKIE, "1", lifetime, http_only=False),
    ]


def _ended_session() -> list[Cookie]:
    return [_cookie(SESSION_COOKIE, "", 0), _cookie(SIGNED_IN_COOKIE, "", 0, http_only=False)]


def _request_cookie(name: str) -> str:
    cookies = app.current_event.cookies or []
    return next((c.split("=", 1)[1] for c in cookies if c.startswith(f"{name}=")), "")


# --- Cognito's token endpoint -----------------------------------------------------------------


# Seconds for the connection to the token endpoint, and again for its answer: both fit in the
# function's timeout (tests/infrastructure/test_timeouts.py).
TOKEN_TIMEOUT = 5


def _token_request(config: SignInSettings, grant: dict[str, str]) -> dict[str, Any]:
    """POST one grant (``grant_type`` and its fields) to the token endpoint: Cognito's answer.
    Raises OSError or ValueError when the endpoint cannot be reached or refuses."""
    data = urllib.parse.urlencode({"client_id": config.client_id, **grant}).encode()
    request = urllib.request.Request(  # noqa: S310 - the house's own Cognito domain
        f"{config.auth_url}/oauth2/token",
        data=data,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TOKEN_TIMEOUT) as response:  # noqa: S310
        tokens: dict[str, Any] = json.loads(response.read())
    return tokens


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
    return _redirect(target, [*_session_cookies(tokens), done])


@app.post(
    f"{PREFIX}/logout",
    summary="Sign out (clears the session)",
    responses={303: redirect("To the login page's sign-out")},
)
def logout() -> Response[str]:
    config = settings()
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
