"""The local gateway's limits are the templates' own: the web ACL's rate rules from
infra/waf.yaml and the stage's throttles from infra/template.yaml (devstack.limits)."""

from __future__ import annotations

import pytest
from samtranslator.yaml_helper import yaml_parse

from devstack.limits import WAF_TEMPLATE, Limits, TokenBucket, scope, waf_rules
from vhtools.template import transformed

DUTCH = (
    "U heeft in korte tijd te veel verzoeken gestuurd. Wacht een paar minuten en probeer het "
    "opnieuw."
)


def _declared_rules() -> dict[str, dict[str, object]]:
    document = yaml_parse(WAF_TEMPLATE.read_text(encoding="utf-8"))
    acl = document["Resources"]["WebAcl"]["Properties"]
    return {rule["Name"]: rule for rule in acl["Rules"]}


def test_the_rate_rules_are_read_from_the_waf_template_with_its_numbers_and_answer() -> None:
    declared = _declared_rules()
    rules = {rule.name: rule for rule in waf_rules()}
    assert set(rules) == {"RegistrationsPerClient", "SignInPerClient"}
    for name, rule in rules.items():
        rate = declared[name]["Statement"]["RateBasedStatement"]  # type: ignore[index]
        assert (rule.limit, rule.window) == (rate["Limit"], rate["EvaluationWindowSec"])
        assert rule.refusal.status == 429
        assert rule.refusal.body.decode() == DUTCH
        assert rule.refusal.content_type == "text/plain"


@pytest.mark.parametrize(
    ("method", "path", "rule"),
    [
        ("POST", "/api/registrations", "RegistrationsPerClient"),
        ("GET", "/api/admin/auth/login", "SignInPerClient"),
        ("GET", "/api/admin/auth/callback", "SignInPerClient"),
        ("POST", "/api/admin/auth/logout", "SignInPerClient"),
        ("POST", "/api/admin/auth/refresh", "SignInPerClient"),
        ("GET", "/api/registrations", None),
        ("POST", "/api/registrations/x", None),
        ("GET", "/api/admin/registrations", None),
        ("GET", "/casus-aanmelden/", None),
    ],
)
def test_each_rule_counts_only_its_routes(method: str, path: str, rule: str | None) -> None:
    counting = {r.name for r in waf_rules() if r.counts(method, path)}
    assert counting == ({rule} if rule else set())


def test_a_statement_the_local_gateway_cannot_evaluate_is_an_error_not_a_pass() -> None:
    with pytest.raises(ValueError, match="not supported locally"):
        scope({"GeoMatchStatement": {"CountryCodes": ["NL"]}})
    with pytest.raises(ValueError, match="not supported locally"):
        scope(
            {
                "ByteMatchStatement": {
                    "FieldToMatch": {"UriPath": {}},
                    "PositionalConstraint": "EXACTLY",
                    "SearchString": "/x",
                    "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}],
                }
            }
        )


def test_the_rate_rule_counts_per_client_over_a_sliding_window() -> None:
    rule = next(r for r in waf_rules() if r.name == "RegistrationsPerClient")
    path = "/api/registrations"
    assert not any(rule.refuses("a", "POST", path, now=float(n)) for n in range(rule.limit))
    assert rule.refuses("a", "POST", path, now=float(rule.limit))
    assert not rule.refuses("b", "POST", path, now=float(rule.limit))
    # Once the oldest requests are out of the window, the client is let through again
    assert not rule.refuses("a", "POST", path, now=rule.window + 2)


def test_the_throttle_is_the_stages_route_setting_as_a_token_bucket() -> None:
    now = [0.0]
    limits = Limits(transformed(), clock=lambda: now[0])
    stage = next(
        r["Properties"]
        for r in transformed()["Resources"].values()
        if r["Type"] == "AWS::ApiGatewayV2::Stage"
    )
    route = stage["RouteSettings"]["POST /api/registrations"]
    burst, rate = route["ThrottlingBurstLimit"], route["ThrottlingRateLimit"]
    answers = [limits.throttle("POST /api/registrations") for _ in range(burst + 1)]
    assert answers[:burst] == [None] * burst
    assert answers[-1] is not None and answers[-1].status == 429
    # Another route has its own bucket, with the default settings
    default = stage["DefaultRouteSettings"]["ThrottlingBurstLimit"]
    assert all(limits.throttle("GET /api/admin/queue") is None for _ in range(default))
    # A second later the route has `rate` tokens again
    now[0] = 1.0
    assert all(limits.throttle("POST /api/registrations") is None for _ in range(rate))
    assert limits.throttle("POST /api/registrations") is not None


def test_a_bucket_never_holds_more_than_its_burst() -> None:
    bucket = TokenBucket(rate=5, burst=2)
    assert bucket.take(0) and bucket.take(0) and not bucket.take(0)
    assert bucket.take(100) and bucket.take(100) and not bucket.take(100)
