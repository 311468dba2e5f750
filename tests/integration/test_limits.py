"""The limits in front of the functions, on the local gateway as in AWS: the web ACL's rate
rule per client address (infra/waf.yaml) and the stage's throttle (infra/template.yaml).

Each client is its own loopback address (127.0.0.x), as each partner is its own address in
AWS. The limits run on a clock of their own, so that the outcome does not depend on the
machine's speed: it moves half a second each time it is read (once by the web ACL, once by the
throttle: a second a request), well within the rate rules' five minutes and slow enough for
the throttle to refill; for the throttle's test it stands still. Bounded: a few dozen
requests. The last tests: only requests through CloudFront (with its origin secret) reach a
function."""

from __future__ import annotations

import http.client
import itertools
import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from devstack.gateway import build_event, invoke
from devstack.limits import Limits, RateRule
from devstack.stack import LocalSystem
from tests.factories import registration
from tests.integration.test_intake import table_items
from vhcore.http import NOT_THROUGH_SITE, ORIGIN_HEADER

DUTCH = "U heeft in korte tijd te veel verzoeken gestuurd."


def send(
    system: LocalSystem, client: str, method: str, path: str, body: object = None
) -> tuple[int, str, str]:
    """One request from the loopback address ``client``: status, content type, body."""
    parts = urlsplit(system.url)
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port, timeout=30, source_address=(client, 0)
    )
    try:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data else {}
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return (
            response.status,
            response.getheader("Content-Type") or "",
            response.read().decode("utf-8"),
        )
    finally:
        connection.close()


def stored_references(system: LocalSystem) -> list[str]:
    return [
        item["reference"]["S"] for item in table_items(system) if item["sk"]["S"] == "REGISTRATION"
    ]


@pytest.fixture
def limits(local_system: LocalSystem) -> Iterator[Limits]:
    """The gateway's limits on, with a clock that moves half a second each time it is read."""
    ticks = itertools.count()
    with local_system.gateway.limits.enforcing(clock=lambda: next(ticks) / 2) as enforced:
        yield enforced


def rule(limits: Limits, name: str) -> RateRule:
    return next(r for r in limits.rules if r.name == name)


def test_a_client_over_the_rate_gets_429_in_dutch_and_what_was_accepted_is_stored_once(
    local_system: LocalSystem, limits: Limits
) -> None:
    allowed = rule(limits, "RegistrationsPerClient").limit
    before = stored_references(local_system)
    # Given a client that sends registrations up to the web ACL's limit
    accepted = [send(local_system, "127.0.0.2", "POST", "/api/registrations", registration())]
    accepted += [
        send(local_system, "127.0.0.2", "POST", "/api/registrations", registration())
        for _ in range(allowed - 1)
    ]
    assert [status for status, _, _ in accepted] == [202] * allowed
    references = [json.loads(body)["reference"] for _, _, body in accepted]
    # When it sends more: new ones, and a repeat of one that was accepted
    repeat = registration()
    refused = [
        send(local_system, "127.0.0.2", "POST", "/api/registrations", body)
        for body in (registration(), registration(), repeat, repeat)
    ]
    # Then each is refused with 429 and the web ACL's Dutch text, nothing else
    for status, content_type, body in refused:
        assert status == 429
        assert content_type.startswith("text/plain")
        assert body.startswith(DUTCH)
    # And what was accepted before is stored exactly once, and nothing of what was refused
    stored = stored_references(local_system)
    assert len(stored) == len(before) + allowed
    assert sorted(r for r in stored if r not in before) == sorted(references)
    # And the API's own answers were untouched by the limits
    assert len(set(references)) == allowed


def test_another_client_is_not_locked_out_by_the_first(
    local_system: LocalSystem, limits: Limits
) -> None:
    allowed = rule(limits, "RegistrationsPerClient").limit
    # Given a client that went over the limit
    statuses = [
        send(local_system, "127.0.0.3", "POST", "/api/registrations", registration())[0]
        for _ in range(allowed + 1)
    ]
    assert statuses[-1] == 429
    # When another partner, from its own address, registers
    status, _, body = send(local_system, "127.0.0.4", "POST", "/api/registrations", registration())
    # Then it is received; the first client stays refused; and the site is not limited
    assert status == 202, body
    assert send(local_system, "127.0.0.3", "POST", "/api/registrations", registration())[0] == 429
    assert send(local_system, "127.0.0.3", "GET", "/api/registrations")[0] != 429


def test_the_sign_in_routes_are_limited_per_client_too(
    local_system: LocalSystem, limits: Limits
) -> None:
    allowed = rule(limits, "SignInPerClient").limit
    statuses = [
        send(local_system, "127.0.0.5", "GET", "/api/admin/auth/login")[0]
        for _ in range(allowed + 1)
    ]
    assert 429 not in statuses[:allowed]
    assert statuses[-1] == 429
    status, _, body = send(local_system, "127.0.0.5", "POST", "/api/admin/auth/logout")
    assert status == 429 and body.startswith(DUTCH)
    assert send(local_system, "127.0.0.6", "GET", "/api/admin/auth/login")[0] != 429


def test_the_stage_throttle_answers_429_before_the_function_for_all_clients_together(
    local_system: LocalSystem,
) -> None:
    with local_system.gateway.limits.enforcing(clock=lambda: 1000.0):  # no refill
        burst_of_clients(local_system)


def burst_of_clients(local_system: LocalSystem) -> None:
    throttle = local_system.stack.resolver.template["Resources"]["HttpApiApiGatewayDefaultStage"]
    burst = int(
        throttle["Properties"]["RouteSettings"]["POST /api/registrations"]["ThrottlingBurstLimit"]
    )
    before = len(stored_references(local_system))
    # Given as many clients as the route's burst, each under its own rate limit
    answers = [
        send(local_system, f"127.0.1.{n}", "POST", "/api/registrations", registration())
        for n in range(1, burst + 3)
    ]
    # Then the burst is received, and the requests beyond it get API Gateway's 429
    assert [status for status, _, _ in answers[:burst]] == [202] * burst
    for status, content_type, body in answers[burst:]:
        assert status == 429
        assert content_type == "application/json"
        assert json.loads(body) == {"message": "Too Many Requests"}
    # And only what was received is stored
    assert len(stored_references(local_system)) == before + burst


# --- Only CloudFront reaches the API (the origin secret) -----------------------------------


@pytest.mark.parametrize(
    ("function", "method", "path"),
    [
        ("IntakeFunction", "POST", "/api/registrations"),
        ("AdminFunction", "GET", "/api/admin/queue"),
        ("SignInFunction", "GET", "/api/admin/auth/login"),
    ],
)
@pytest.mark.parametrize("origin_header", [None, "wrong", ""])
def test_a_request_around_cloudfront_is_refused_in_dutch_and_nothing_is_stored(
    local_system: LocalSystem, function: str, method: str, path: str, origin_header: str | None
) -> None:
    route = next(
        r
        for r in local_system.stack.routes
        if r.function == function and r.method == method and r.path == path
    )
    headers = {"content-type": "application/json"}
    if origin_header is not None:
        headers[ORIGIN_HEADER] = origin_header
    event = build_event(
        method=method,
        raw_path=path,
        query="",
        headers=headers,
        body=json.dumps(registration()).encode() if method == "POST" else b"",
        route=route,
        path_parameters={},
    )
    before = len(stored_references(local_system))
    answer = invoke(local_system.gateway.router, event, route)
    assert answer["statusCode"] == 403
    assert json.loads(answer["body"])["message"] == NOT_THROUGH_SITE
    assert len(stored_references(local_system)) == before


def test_the_local_cloudfront_sends_the_secret_the_functions_have_and_overrides_a_viewers(
    local_system: LocalSystem,
) -> None:
    secret = local_system.environment["ORIGIN_SECRET"]
    assert len(secret) >= 32
    assert local_system.stack.api_origin_headers == {"X-Origin-Verify": secret}
    # A viewer that sends the header itself is not believed: CloudFront replaces it
    status, _ = send_with(local_system, {"X-Origin-Verify": "guess"}, registration())
    assert status == 202


def send_with(system: LocalSystem, headers: dict[str, str], body: object) -> tuple[int, str]:
    parts = urlsplit(system.url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.request(
            "POST",
            "/api/registrations",
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", **headers},
        )
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()
