"""Intake answers its one route itself (no Powertools resolver, for its cold start): what the
HTTP API never sends it is refused before anything is read."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from intake.intake_handler import ROUTE_KEY, handler
from vhcore.http import ORIGIN_HEADER
from vhcore.settings import settings

CONTEXT = SimpleNamespace(
    function_name="intake",
    memory_limit_in_mb=128,
    invoked_function_arn="arn:aws:lambda:eu-central-1:123456789012:function:intake",
    aws_request_id="req-1",
)


def event(route_key: str, body: str = "{}") -> dict[str, Any]:
    method, _, path = route_key.partition(" ")
    return {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        # As CloudFront sends it (a local stack in the same process sets the secret).
        "headers": {
            "content-type": "application/json",
            ORIGIN_HEADER: settings().origin_secret or "",
        },
        "body": body,
        "isBase64Encoded": False,
        "requestContext": {"requestId": "corr-1", "http": {"method": method, "path": path}},
    }


@pytest.mark.parametrize("route_key", ["GET /api/registrations", "POST /api/admin/me", "$default"])
def test_another_route_is_not_found(route_key: str) -> None:
    answer = handler(event(route_key), CONTEXT)
    assert answer["statusCode"] == 404
    assert json.loads(answer["body"]) == {
        "message": "Deze pagina bestaat niet.",
        "errors": [],
        "correlation_id": "corr-1",
    }


def test_its_own_route_validates_the_body() -> None:
    answer = handler(event(ROUTE_KEY), CONTEXT)
    assert answer["statusCode"] == 422
    assert answer["headers"] == {"Content-Type": "application/json", "Cache-Control": "no-store"}
    fields = [e["field"] for e in json.loads(answer["body"])["errors"]]
    assert "registrant" in fields and "declaration" in fields
