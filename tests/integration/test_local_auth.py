"""Staff sign-in on the local stack: the user pool from the template, the dev users, the hosted
login's stand-in (authorization code with PKCE) and the HTTP API's JWT authorizer."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import boto3
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from devstack.edge import SESSION_COOKIE
from devstack.stack import LocalSystem
from vhtools.template import REGION, resources, transformed

ADMIN_ROUTE = "/api/admin/me"
CALLBACK = "/api/admin/auth/callback"
# The staff page's script reads this name (site/docs/assets/beheer/beheer.js).
SIGNED_IN_COOKIE = "__Host-vh-signed-in"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> tuple[int, Any, bytes]:
    """(status, headers, body) without following redirects."""
    data = urlencode(form).encode() if form is not None else None
    sent = dict(headers or {})
    if data is not None:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    prepared = urllib.request.Request(url, data=data, headers=sent, method=method)  # noqa: S310
    try:
        with _OPENER.open(prepared, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def idp(system: LocalSystem) -> Any:
    # The local stack's administrator (its key is in the environment): IAM is enforced.
    return boto3.client("cognito-idp", endpoint_url=system.endpoint, region_name=REGION)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(system: LocalSystem, challenge: str, state: str = "s1") -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": system.stack.physical["StaffClient"].ref,
        "redirect_uri": f"{system.url}{CALLBACK}",
        "scope": "openid email profile",
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def sign_in_code(system: LocalSystem, group: str, challenge: str) -> str:
    """Through the sign-in page: the one-time code the browser is sent back with."""
    params = authorize_params(system, challenge)
    username, password = system.staff_users[group]
    status, headers, _ = request(
        "POST",
        f"{system.url}/dev/oauth2/authorize",
        form={**params, "email": username, "password": password},
    )
    assert status == 302
    location = urlsplit(headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == params["redirect_uri"]
    answer = parse_qs(location.query)
    assert answer["state"] == ["s1"]
    return str(answer["code"][0])


def exchange(system: LocalSystem, code: str, verifier: str) -> tuple[int, dict[str, Any]]:
    status, _, body = request(
        "POST",
        f"{system.url}/dev/oauth2/token",
        form={
            "grant_type": "authorization_code",
            "client_id": system.stack.physical["StaffClient"].ref,
            "code": code,
            "redirect_uri": f"{system.url}{CALLBACK}",
            "code_verifier": verifier,
        },
    )
    return status, json.loads(body)


def tokens_for(system: LocalSystem, group: str) -> dict[str, Any]:
    verifier, challenge = pkce()
    status, tokens = exchange(system, sign_in_code(system, group, challenge), verifier)
    assert status == 200
    return tokens


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * 3))
    return decoded


def moto_key() -> RSAKey:
    """The emulator's one signing key (the same for every pool): to mint tokens it would
    not issue itself, such as expired ones."""
    from moto.utilities.utils import load_resource

    key: RSAKey = RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    return key


def mint(claims: dict[str, Any], key: RSAKey | None = None) -> str:
    return jwt.encode({"alg": "RS256", "kid": "dummy"}, claims, key or moto_key())


@pytest.fixture
def echo(local_system: LocalSystem) -> Iterator[list[dict[str, Any]]]:
    """The admin function's routes answer with the event's authorizer context."""
    seen: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.append(event)
        authorizer = event["requestContext"].get("authorizer")
        return {"statusCode": 200, "body": json.dumps(authorizer)}

    with local_system.gateway.router.override("AdminFunction", handler):
        yield seen


def call_admin(system: LocalSystem, token: str | None = None, **headers: str) -> Any:
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return request("GET", f"{system.url}{ADMIN_ROUTE}", headers=headers)


# --- Resources and users ----------------------------------------------------------------------


def test_the_user_pool_client_domain_and_groups_are_created_as_declared(
    local_system: LocalSystem,
) -> None:
    cognito = idp(local_system)
    physical = local_system.stack.physical
    template = transformed()
    declared = resources(template, "AWS::Cognito::UserPool")["UserPool"]
    pool_id = physical["UserPool"].ref
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["MfaConfiguration"] == declared["MfaConfiguration"] == "ON"
    mfa = cognito.get_user_pool_mfa_config(UserPoolId=pool_id)
    assert mfa["SoftwareTokenMfaConfiguration"]["Enabled"] is True
    assert pool["Policies"] == declared["Policies"]
    assert pool["UsernameAttributes"] == declared["UsernameAttributes"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True

    declared_client = resources(template, "AWS::Cognito::UserPoolClient")["StaffClient"]
    staff_client = cognito.describe_user_pool_client(
        UserPoolId=pool_id, ClientId=physical["StaffClient"].ref
    )["UserPoolClient"]
    assert staff_client["CallbackURLs"] == [f"{local_system.url}{CALLBACK}"]
    assert staff_client["LogoutURLs"] == [f"{local_system.url}/beheer/"]
    assert staff_client["AllowedOAuthFlows"] == ["code"]
    # Not widened for the local sign-in: the emulator does not enforce the flows.
    assert staff_client["ExplicitAuthFlows"] == declared_client["ExplicitAuthFlows"]

    groups = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
    assert groups == {"triage", "procesregie", "beheer"}
    domain = cognito.describe_user_pool_domain(Domain=physical["UserPoolDomain"].ref)
    assert domain["DomainDescription"]["UserPoolId"] == pool_id

    environment = local_system.stack.environment()
    assert environment["STAFF_CLIENT_ID"] == physical["StaffClient"].ref
    assert local_system.environment["STAFF_AUTH_URL"] == f"{local_system.url}/dev"
    assert physical["UserPool"].attributes["ProviderURL"] == (
        f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    )


def test_one_dev_user_per_group_in_that_group_only(local_system: LocalSystem) -> None:
    cognito = idp(local_system)
    pool_id = local_system.stack.physical["UserPool"].ref
    assert set(local_system.staff_users) == {"triage", "procesregie", "beheer"}
    for group, (username, password) in local_system.staff_users.items():
        assert username == f"{group}@voorbeeldregio.example.org"
        assert len(password) >= 14
        assert re.search(r"[a-z]", password) and re.search(r"[A-Z]", password)
        assert re.search(r"\d", password) and re.search(r"[^A-Za-z0-9]", password)
        member_of = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username=username)
        assert [g["GroupName"] for g in member_of["Groups"]] == [group]
        user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
        assert user["UserStatus"] == "CONFIRMED"

    status, _, body = request("GET", f"{local_system.url}/dev/")
    page = body.decode()
    assert status == 200
    assert "triage@voorbeeldregio.example.org" in page
    assert 'href="/beheer/">Inloggen als medewerker' in page


# --- The hosted login's stand-in -------------------------------------------------------------


def test_the_sign_in_page_is_dutch_accessible_and_without_inline_code(
    local_system: LocalSystem,
) -> None:
    _, challenge = pkce()
    params = authorize_params(local_system, challenge)
    status, headers, body = request(
        "GET", f"{local_system.url}/dev/oauth2/authorize?{urlencode(params)}"
    )
    page = body.decode()
    assert status == 200
    assert '<html lang="nl">' in page
    assert '<label for="email">E-mailadres</label>' in page
    assert '<label for="password">Wachtwoord</label>' in page
    assert f'name="code_challenge" value="{challenge}"' in page
    assert "<script" not in page and "<style" not in page and "style=" not in page
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp

    wrong = {**params, "email": local_system.staff_users["triage"][0], "password": "Onjuist-1234!"}
    status, _, body = request("POST", f"{local_system.url}/dev/oauth2/authorize", form=wrong)
    page = body.decode()
    assert status == 401
    assert "<title>Fout: Inloggen voor medewerkers</title>" in page
    assert "Er is een probleem" in page and 'href="#email"' in page
    assert 'aria-describedby="email-fout" aria-invalid="true"' in page
    assert "Het e-mailadres of het wachtwoord is niet juist." in page

    unknown = {**params, "email": "niemand@voorbeeldregio.example.org", "password": "x"}
    status, _, body = request("POST", f"{local_system.url}/dev/oauth2/authorize", form=unknown)
    assert status == 401 and "Het e-mailadres of het wachtwoord is niet juist." in body.decode()

    empty = {**params, "email": "", "password": ""}
    status, _, body = request("POST", f"{local_system.url}/dev/oauth2/authorize", form=empty)
    assert status == 400
    assert "Vul uw e-mailadres in." in body.decode() and "Vul uw wachtwoord in." in body.decode()


@pytest.mark.parametrize(
    "change",
    [
        {"client_id": "unknown-client"},
        {"redirect_uri": "https://elders.example.org/api/admin/auth/callback"},
        {"code_challenge": ""},
        {"code_challenge_method": "plain"},
        {"scope": "openid aws.cognito.signin.user.admin"},
    ],
)
def test_a_bad_authorization_request_gets_an_error_page_never_a_redirect(
    local_system: LocalSystem, change: dict[str, str]
) -> None:
    _, challenge = pkce()
    params = {**authorize_params(local_system, challenge), **change}
    status, headers, _ = request(
        "GET", f"{local_system.url}/dev/oauth2/authorize?{urlencode(params)}"
    )
    assert status == 400 and "Location" not in headers
    username, password = local_system.staff_users["triage"]
    form = {**params, "email": username, "password": password}
    status, headers, _ = request("POST", f"{local_system.url}/dev/oauth2/authorize", form=form)
    assert status == 400 and "Location" not in headers


def test_the_code_flow_with_pkce_gives_tokens_the_pool_signed(local_system: LocalSystem) -> None:
    verifier, challenge = pkce()
    code = sign_in_code(local_system, "triage", challenge)
    status, tokens = exchange(local_system, code, verifier)
    assert status == 200
    assert set(tokens) == {"id_token", "access_token", "refresh_token", "expires_in", "token_type"}
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] > 0

    authorizer = local_system.gateway.router.authorizers["StaffJwt"]
    pool_id = local_system.stack.physical["UserPool"].ref
    client_id = local_system.stack.physical["StaffClient"].ref
    identity = authorizer.validate(tokens["id_token"])
    assert identity["iss"] == f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}"
    assert identity["aud"] == client_id and identity["token_use"] == "id"
    assert identity["email"] == "triage@voorbeeldregio.example.org"
    assert identity["cognito:groups"] == ["triage"]
    access = authorizer.validate(tokens["access_token"])
    assert access["client_id"] == client_id and access["token_use"] == "access"

    # One-time: the same code does not work twice.
    status, answer = exchange(local_system, code, verifier)
    assert (status, answer) == (400, {"error": "invalid_grant"})


def test_the_token_endpoint_wants_the_right_verifier_client_and_redirect(
    local_system: LocalSystem,
) -> None:
    verifier, challenge = pkce()
    code = sign_in_code(local_system, "beheer", challenge)
    status, answer = exchange(local_system, code, pkce()[0])
    assert (status, answer) == (400, {"error": "invalid_grant"})
    # A failed attempt used the code up.
    assert exchange(local_system, code, verifier)[0] == 400

    code = sign_in_code(local_system, "beheer", challenge)
    status, _, body = request(
        "POST",
        f"{local_system.url}/dev/oauth2/token",
        form={
            "grant_type": "authorization_code",
            "client_id": local_system.stack.physical["StaffClient"].ref,
            "code": code,
            "redirect_uri": "https://elders.example.org/callback",
            "code_verifier": verifier,
        },
    )
    assert (status, json.loads(body)) == (400, {"error": "invalid_grant"})
    status, _, body = request(
        "POST", f"{local_system.url}/dev/oauth2/token", form={"grant_type": "password"}
    )
    assert (status, json.loads(body)) == (400, {"error": "unsupported_grant_type"})


# --- The JWT authorizer ----------------------------------------------------------------------


def test_without_a_token_the_gateway_answers_401_itself(
    local_system: LocalSystem, echo: list[dict[str, Any]]
) -> None:
    status, headers, body = call_admin(local_system)
    assert status == 401
    assert json.loads(body) == {"message": "Unauthorized"}
    assert headers["WWW-Authenticate"] == "Bearer"
    status, _, _ = call_admin(local_system, Authorization="Bearer ")
    assert status == 401
    assert echo == []


def test_a_valid_token_passes_with_the_claims_flattened_as_api_gateway_does(
    local_system: LocalSystem, echo: list[dict[str, Any]]
) -> None:
    tokens = tokens_for(local_system, "procesregie")
    status, _, body = call_admin(local_system, tokens["id_token"])
    assert status == 200
    context = json.loads(body)["jwt"]
    claims = context["claims"]
    assert claims["cognito:groups"] == "[procesregie]"
    assert claims["email"] == "procesregie@voorbeeldregio.example.org"
    assert claims["token_use"] == "id"
    assert claims["exp"].isdigit() and all(isinstance(v, str) for v in claims.values())
    assert context["scopes"] is None  # an ID token has no scope claim

    status, _, body = call_admin(local_system, tokens["access_token"])
    assert status == 200
    context = json.loads(body)["jwt"]
    assert context["claims"]["client_id"] == local_system.stack.physical["StaffClient"].ref
    assert context["scopes"] == context["claims"]["scope"].split()

    # The session cookie works as the header does (the CloudFront function's job in AWS).
    status, _, body = call_admin(local_system, Cookie=f"{SESSION_COOKIE}={tokens['id_token']}")
    assert status == 200 and json.loads(body)["jwt"]["claims"]["token_use"] == "id"
    assert echo[-1]["headers"]["authorization"] == f"Bearer {tokens['id_token']}"


def test_a_token_signed_with_a_key_outside_the_jwks_is_refused(
    local_system: LocalSystem, echo: list[dict[str, Any]]
) -> None:
    genuine = claims_of(tokens_for(local_system, "triage")["id_token"])
    forged = mint(genuine, RSAKey.generate_key(2048))
    status, headers, body = call_admin(local_system, forged)
    assert status == 401 and json.loads(body) == {"message": "Unauthorized"}
    assert 'error="invalid_token"' in headers["WWW-Authenticate"]
    tampered = genuine | {"cognito:groups": ["beheer"]}
    header, _, signature = tokens_for(local_system, "triage")["id_token"].split(".")
    payload = base64.urlsafe_b64encode(json.dumps(tampered).encode()).rstrip(b"=").decode()
    assert call_admin(local_system, f"{header}.{payload}.{signature}")[0] == 401
    assert call_admin(local_system, "not-a-jwt")[0] == 401
    assert echo == []


def test_expired_future_and_foreign_issuer_tokens_are_refused(
    local_system: LocalSystem, echo: list[dict[str, Any]]
) -> None:
    genuine = claims_of(tokens_for(local_system, "triage")["id_token"])
    now = int(time.time())
    assert call_admin(local_system, mint(genuine))[0] == 200  # the minting itself is sound

    expired = mint(genuine | {"iat": now - 7200, "exp": now - 3600})
    status, headers, _ = call_admin(local_system, expired)
    assert status == 401 and "the token has expired" in headers["WWW-Authenticate"]
    assert call_admin(local_system, mint(genuine | {"nbf": now + 600}))[0] == 401
    other_pool = f"https://cognito-idp.{REGION}.amazonaws.com/{REGION}_andere"
    assert call_admin(local_system, mint(genuine | {"iss": other_pool}))[0] == 401
    assert call_admin(local_system, mint(genuine | {"token_use": "refresh"}))[0] == 401
    assert len(echo) == 1


def test_a_token_for_another_client_of_the_same_pool_is_refused(
    local_system: LocalSystem, echo: list[dict[str, Any]]
) -> None:
    cognito = idp(local_system)
    pool_id = local_system.stack.physical["UserPool"].ref
    other = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="ander-programma")
    username, password = local_system.staff_users["triage"]
    result = cognito.initiate_auth(
        ClientId=other["UserPoolClient"]["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )["AuthenticationResult"]
    for token in (result["IdToken"], result["AccessToken"]):
        status, headers, _ = call_admin(local_system, token)
        assert status == 401
        assert "the token does not have a valid audience" in headers["WWW-Authenticate"]
    assert echo == []


def test_routes_without_the_authorizer_are_not_checked(local_system: LocalSystem) -> None:
    status, headers, _ = request("GET", f"{local_system.url}/api/admin/auth/login")
    assert status == 302
    assert headers["Location"].startswith(f"{local_system.url}/dev/oauth2/authorize?")


# --- End to end, through the sign-in and admin functions --------------------------------------


def _cookies(headers: Any) -> dict[str, str]:
    jar: dict[str, str] = {}
    for line in headers.get_all("Set-Cookie") or []:
        name, _, rest = line.partition("=")
        jar[name] = rest.split(";", 1)[0]
    return jar


def test_staff_sign_in_and_out_through_the_sign_in_function(local_system: LocalSystem) -> None:
    url = local_system.url
    status, headers, _ = request("GET", f"{url}/api/admin/auth/login")
    assert status == 302
    login_cookie = _cookies(headers)
    authorize = urlsplit(headers["Location"])
    params = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    assert params["redirect_uri"] == f"{url}{CALLBACK}"
    assert params["code_challenge_method"] == "S256"

    assert request("GET", headers["Location"])[0] == 200
    username, password = local_system.staff_users["triage"]
    status, headers, _ = request(
        "POST",
        f"{url}/dev/oauth2/authorize",
        form={**params, "email": username, "password": password},
    )
    assert status == 302 and headers["Location"].startswith(f"{url}{CALLBACK}?code=")

    cookie_header = "; ".join(f"{k}={v}" for k, v in login_cookie.items())
    status, headers, _ = request("GET", headers["Location"], headers={"Cookie": cookie_header})
    assert status == 302 and headers["Location"] == "/beheer/"
    set_cookies = headers.get_all("Set-Cookie")
    session = next(c for c in set_cookies if c.startswith(f"{SESSION_COOKIE}="))
    assert all(flag in session for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/"))
    # The page's hint that a session exists: readable by its script, and nothing secret.
    hint = next(c for c in set_cookies if c.startswith(f"{SIGNED_IN_COOKIE}="))
    assert all(flag in hint for flag in ("Secure", "SameSite=Strict", "Path=/"))
    # Its value is when the ID token runs out (Unix seconds): the page renews before then.
    assert "HttpOnly" not in hint and _cookies(headers)[SIGNED_IN_COOKIE].isdigit()
    token = _cookies(headers)[SESSION_COOKIE]

    status, _, body = request(
        "GET", f"{url}{ADMIN_ROUTE}", headers={"Cookie": f"{SESSION_COOKIE}={token}"}
    )
    assert status == 200, body
    me = json.loads(body)
    assert me["username"] == username and me["groups"] == ["triage"]

    status, headers, _ = request("POST", f"{url}/api/admin/auth/logout", form={})
    assert status == 303
    cleared = [c for c in headers.get_all("Set-Cookie") if "Max-Age=0" in c]
    assert {c.split("=", 1)[0] for c in cleared} == {
        SESSION_COOKIE,
        "__Host-vh-refresh",
        SIGNED_IN_COOKIE,
    }
    assert headers["Location"].startswith(f"{url}/dev/logout?")
    status, headers, _ = request("GET", headers["Location"])
    assert (status, headers["Location"]) == (302, f"{url}/beheer/")


def test_the_shared_fixtures_give_real_and_forged_tokens(
    local_system: LocalSystem,
    echo: list[dict[str, Any]],
    staff_tokens: Callable[[str], dict[str, Any]],
    forge_staff_token: Callable[..., str],
) -> None:
    assert call_admin(local_system, staff_tokens("beheer")["access_token"])[0] == 200
    assert call_admin(local_system, forge_staff_token("beheer"))[0] == 200
    assert call_admin(local_system, forge_staff_token("beheer", exp=0))[0] == 401
    assert call_admin(local_system, forge_staff_token("beheer", aud="ander"))[0] == 401
    assert call_admin(local_system, forge_staff_token("beheer", "access", client_id="x"))[0] == 401


def test_a_link_to_a_case_survives_signing_in(local_system: LocalSystem) -> None:
    """/beheer/#VH-... opened while signed out: the sign-in takes the reference along (in its
    own short-lived cookie, nothing in the browser's storage) and comes back to the case."""
    url = local_system.url
    status, headers, _ = request("GET", f"{url}/api/admin/auth/login?aanmelding=VH-7K3M-Q9TX")
    assert status == 302
    login_cookie = _cookies(headers)
    params = {k: v[0] for k, v in parse_qs(urlsplit(headers["Location"]).query).items()}
    username, password = local_system.staff_users["triage"]
    status, headers, _ = request(
        "POST",
        f"{url}/dev/oauth2/authorize",
        form={**params, "email": username, "password": password},
    )
    cookie_header = "; ".join(f"{k}={v}" for k, v in login_cookie.items())
    status, headers, _ = request("GET", headers["Location"], headers={"Cookie": cookie_header})
    assert (status, headers["Location"]) == (302, "/beheer/#VH-7K3M-Q9TX")
    # Anything but a reference is refused before the sign-in starts.
    for wrong in ("https://elders.example", "VH-7K3M-Q9TX#x", "<script>"):
        status, _, _ = request("GET", f"{url}/api/admin/auth/login?aanmelding={quote(wrong)}")
        assert status == 422, wrong
