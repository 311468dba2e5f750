"""Only CloudFront reaches the API: the distribution sends the stack's origin secret in a
header to the API origin, and every function behind a route gets the same value to check."""

from __future__ import annotations

from typing import Any

from vhcore.http import ORIGIN_HEADER
from vhtools.template import http_routes, resources, transformed

REFERENCE = {"Fn::Sub": "{{resolve:secretsmanager:${OriginSecret}}}"}


def _api_origin(template: dict[str, Any]) -> dict[str, Any]:
    (props,) = resources(template, "AWS::CloudFront::Distribution").values()
    config = props["DistributionConfig"]
    (api_id,) = {b["TargetOriginId"] for b in config["CacheBehaviors"]}
    return next(origin for origin in config["Origins"] if origin["Id"] == api_id)


def test_cloudfront_sends_the_generated_secret_to_the_api_origin() -> None:
    template = transformed()
    secret = template["Resources"]["OriginSecret"]
    assert secret["Type"] == "AWS::SecretsManager::Secret"
    generate = secret["Properties"]["GenerateSecretString"]
    assert generate["PasswordLength"] >= 32
    headers = _api_origin(template)["OriginCustomHeaders"]
    assert headers == [{"HeaderName": "X-Origin-Verify", "HeaderValue": REFERENCE}]
    assert headers[0]["HeaderName"].lower() == ORIGIN_HEADER


def test_every_function_behind_a_route_gets_the_secret_to_check() -> None:
    template = transformed()
    functions = resources(template, "AWS::Lambda::Function")
    behind_routes = {route.function for route in http_routes(template)}
    assert behind_routes == {"IntakeFunction", "AdminFunction", "SignInFunction"}
    for name, props in functions.items():
        variables = props["Environment"]["Variables"]
        if name in behind_routes:
            assert variables["ORIGIN_SECRET"] == REFERENCE, name
        else:  # the others are not reached over HTTP and need not know it
            assert "ORIGIN_SECRET" not in variables, name
