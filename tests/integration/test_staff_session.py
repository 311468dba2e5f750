"""A staff session for the working day, on the local stack: short ID tokens renewed through
the sign-in function with a refresh token that the browser holds only sealed, rotated on each
use, ended after 30 minutes without a request, after 10 hours, and by signing out."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from devstack.edge import SESSION_COOKIE
from devstack.stack import LocalSystem
from tests.integration.test_local_auth import ADMIN_ROUTE, SIGNED_IN_COOKIE, request

REFRESH_COOKIE = "__Host-vh-refresh"
RENEW = "/api/admin/auth/refresh"

pytestmark = pytest.mark.usefixtures("restore_clock")


class Browser:
    """The cookies a browser would keep for the site, and the requests it sends."""

    def __init__(self, system: LocalSystem) -> None:
        self.system = system
        self.jar: dict[str, str] = {}
        self.set_cookies: list[str] = []

    def send(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any, bytes]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        url = path if path.startswith("http") else f"{self.system.url}{path}"
        status, headers, body = request(method, url, headers={"Cookie": cookie}, **kwargs)
        self.set_cookies = headers.get_all("Set-Cookie") or []
        for line in self.set_cookies:
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in line:
                self.jar.pop(name, None)
            else:
                self.jar[name] = value
        return status, headers, body

    def sign_in(self, group: str) -> None:
        status, headers, _ = self.send("GET", "/api/admin/auth/login")
        params = {k: v[0] for k, v in parse_qs(urlsplit(headers["Location"]).query).items()}
        username, password = self.system.staff_users[group]
        status, headers, _ = request(
            "POST",
            f"{self.system.url}/dev/oauth2/authorize",
            form={**params, "email": username, "password": password},
        )
        assert status == 302
        status, _, _ = self.send("GET", headers["Location"])
        assert status == 302 and SESSION_COOKIE in self.jar

    def me(self) -> int:
        return self.send("GET", ADMIN_ROUTE)[0]

    def renew(self) -> tuple[int, str]:
        status, _, body = self.send("POST", RENEW, form={})
        return status, json.loads(body)["message"] if body else ""


@pytest.fixture
def browser(local_system: LocalSystem) -> Iterator[Browser]:
    visit = Browser(local_system)
    visit.sign_in("triage")
    yield visit


def max_age(set_cookie: str) -> int:
    return int(set_cookie.split("Max-Age=", 1)[1].split(";", 1)[0])


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * 3))
    return decoded


def test_the_session_cookies_are_http_only_and_the_tokens_short(browser: Browser) -> None:
    status, _, _ = browser.send("POST", RENEW, form={})
    assert status == 204
    by_name = {line.split("=", 1)[0]: line for line in browser.set_cookies}
    for name in (SESSION_COOKIE, REFRESH_COOKIE):
        assert all(f in by_name[name] for f in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/"))
    # The refresh cookie and the page's hint last the working day; the ID token five minutes
    # (the template's IdTokenValidity), in its cookie as in its claims.
    assert 35_000 < max_age(by_name[REFRESH_COOKIE]) <= 36_000
    assert 35_000 < max_age(by_name[SIGNED_IN_COOKIE]) <= 36_000
    assert max_age(by_name[SESSION_COOKIE]) == 300
    token = claims(browser.jar[SESSION_COOKIE])
    assert token["exp"] - token["iat"] == 300
    assert abs(int(browser.jar[SIGNED_IN_COOKIE]) - token["exp"]) <= 1
    # Sealed: the refresh token itself is not in the cookie.
    assert "." not in browser.jar[REFRESH_COOKIE] and len(browser.jar[REFRESH_COOKIE]) > 60


def test_a_session_continues_past_an_hour_with_renewals(
    browser: Browser, local_system: LocalSystem
) -> None:
    for _ in range(5):  # 5 x 14 minutes: 70 minutes of work
        local_system.clock.advance(minutes=14)
        # The ID token ran out: the gateway refuses it, the page renews and asks again.
        assert browser.me() == 401
        assert browser.renew() == (204, "")
        assert browser.me() == 200


def test_the_refresh_token_is_rotated_and_a_used_one_is_void_after_its_grace(
    browser: Browser, local_system: LocalSystem
) -> None:
    used = dict(browser.jar)
    assert browser.renew()[0] == 204
    assert browser.jar[REFRESH_COOKIE] != used[REFRESH_COOKIE]
    # A retry within the template's grace (a page left while renewing) still works...
    retry = Browser(browser.system)
    retry.jar = dict(used)
    assert retry.renew()[0] == 204
    # ...and after it the used token renews nothing.
    local_system.clock.advance(seconds=31)
    replay = Browser(browser.system)
    replay.jar = used
    status, message = replay.renew()
    assert status == 401 and message == "Uw sessie is beëindigd. Log opnieuw in."
    assert REFRESH_COOKIE not in replay.jar and SIGNED_IN_COOKIE not in replay.jar
    assert browser.renew()[0] == 204  # the rotated one still works


def test_thirty_minutes_without_a_request_end_the_session(
    browser: Browser, local_system: LocalSystem
) -> None:
    local_system.clock.advance(minutes=40)
    status, message = browser.renew()
    assert status == 401
    assert message == "U was 30 minuten niet actief. Log opnieuw in om verder te werken."
    assert set(browser.jar) <= {"__Host-vh-login"}
    assert browser.me() == 401


def test_signing_out_revokes_the_refresh_token(browser: Browser) -> None:
    kept = dict(browser.jar)
    status, _, _ = browser.send("POST", "/api/admin/auth/logout", form={})
    assert status == 303
    assert REFRESH_COOKIE not in browser.jar and SESSION_COOKIE not in browser.jar
    # A copy of the cookies taken before signing out renews nothing, at once.
    copy = Browser(browser.system)
    copy.jar = kept
    assert copy.renew() == (401, "Uw sessie is beëindigd. Log opnieuw in.")


def test_a_forged_or_missing_refresh_cookie_renews_nothing(browser: Browser) -> None:
    value = browser.jar[REFRESH_COOKIE]
    browser.jar[REFRESH_COOKIE] = value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")
    assert browser.renew() == (401, "U bent niet (meer) ingelogd. Log opnieuw in.")
    assert Browser(browser.system).renew() == (401, "U bent niet (meer) ingelogd. Log opnieuw in.")
