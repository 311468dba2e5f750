"""The limits in front of the functions, locally as in AWS: the web ACL's rate rules
(``infra/waf.yaml``: per client address, on CloudFront, before anything else) and the HTTP
API's throttling (the stage's ``DefaultRouteSettings`` and ``RouteSettings`` in the
transformed template: a token bucket per route, for all clients together).

Both are read from the templates, never written here a second time. A refused request gets
what AWS answers (the web ACL's custom response; API Gateway's own ``429 Too Many Requests``)
and goes no further: no authorizer, no function.

What is not emulated: the web ACL's managed rule groups (AWS's own rules, unpublished) and
the account-level throttle. AWS evaluates a rate rule every few seconds, so in AWS a few
requests over the limit may still pass; locally the first request over it is refused."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from vhtools.template import REPO, resources

WAF_TEMPLATE = REPO / "infra" / "waf.yaml"
# What API Gateway answers when a route's throttle refuses a request (not configurable for
# HTTP APIs).
THROTTLED_BODY = b'{"message":"Too Many Requests"}'

Clock = Callable[[], float]
Scope = Callable[[str, str], bool]  # (method, path) -> whether a rule counts the request


@dataclass(frozen=True)
class Refusal:
    """The answer to a refused request."""

    status: int
    content_type: str
    body: bytes
    reason: str  # the rule or route, for the local log


_CONTENT_TYPES = {
    "TEXT_PLAIN": "text/plain",
    "TEXT_HTML": "text/html",
    "APPLICATION_JSON": "application/json",
}


def _byte_match(statement: Mapping[str, Any]) -> Scope:
    field_to_match = statement["FieldToMatch"]
    transformations = {t["Type"] for t in statement.get("TextTransformations", [])}
    if transformations - {"NONE"}:
        raise ValueError(f"text transformations not supported locally: {transformations}")
    if "UriPath" in field_to_match:
        part = 1
    elif "Method" in field_to_match:
        part = 0
    else:
        raise ValueError(f"field to match not supported locally: {list(field_to_match)}")
    wanted = str(statement["SearchString"])
    compare: Callable[[str], bool] = {
        "EXACTLY": lambda value: value == wanted,
        "STARTS_WITH": lambda value: value.startswith(wanted),
        "ENDS_WITH": lambda value: value.endswith(wanted),
        "CONTAINS": lambda value: wanted in value,
    }[statement["PositionalConstraint"]]
    return lambda method, path: compare((method, path)[part])


def scope(statement: Mapping[str, Any]) -> Scope:
    """A WAF statement as a predicate on (method, path): byte matches on the method and the
    URI path, combined with and/or/not. Anything else is an error, not a silent pass."""
    (kind, body), *_ = statement.items()
    if kind == "ByteMatchStatement":
        return _byte_match(body)
    if kind == "AndStatement":
        parts = [scope(s) for s in body["Statements"]]
        return lambda method, path: all(p(method, path) for p in parts)
    if kind == "OrStatement":
        parts = [scope(s) for s in body["Statements"]]
        return lambda method, path: any(p(method, path) for p in parts)
    if kind == "NotStatement":
        inner = scope(body["Statement"])
        return lambda method, path: not inner(method, path)
    raise ValueError(f"statement not supported locally: {kind}")


@dataclass
class RateRule:
    """One rate-based rule: at most ``limit`` requests in ``window`` seconds per client
    address among those its scope counts; every counted request counts, refused or not."""

    name: str
    limit: int
    window: float
    counts: Scope
    refusal: Refusal
    seen: dict[str, deque[float]] = field(default_factory=dict)

    def refuses(self, client: str, method: str, path: str, now: float) -> bool:
        if not self.counts(method, path):
            return False
        times = self.seen.setdefault(client, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        times.append(now)
        return len(times) > self.limit


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"a literal value is needed locally, not {value!r}")
    return value


@cache
def _waf_document(path: Path) -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse

    document: dict[str, Any] = yaml_parse(path.read_text(encoding="utf-8"))
    return document


def waf_rules(path: Path = WAF_TEMPLATE) -> list[RateRule]:
    """The rate-based rules of the web ACL in ``path``, in priority order."""
    rules: list[RateRule] = []
    for props in resources(_waf_document(path), "AWS::WAFv2::WebACL").values():
        bodies = props.get("CustomResponseBodies", {})
        for rule in sorted(props.get("Rules", []), key=lambda r: int(r["Priority"])):
            rate = rule["Statement"].get("RateBasedStatement")
            if rate is None:
                continue  # managed rule groups: not emulated
            if rate.get("AggregateKeyType", "IP") != "IP":
                raise ValueError(f"{rule['Name']}: only per-address rate rules run locally")
            response = rule["Action"]["Block"].get("CustomResponse", {})
            body = bodies.get(response.get("CustomResponseBodyKey"), {})
            refusal = Refusal(
                status=int(response.get("ResponseCode", 403)),
                content_type=_CONTENT_TYPES[body.get("ContentType", "TEXT_PLAIN")],
                body=_text(body.get("Content", "")).strip().encode("utf-8"),
                reason=f"web ACL rule {rule['Name']}",
            )
            statement = rate.get("ScopeDownStatement")
            rules.append(
                RateRule(
                    name=str(rule["Name"]),
                    limit=int(rate["Limit"]),
                    window=float(rate.get("EvaluationWindowSec", 300)),
                    counts=scope(statement) if statement else (lambda method, path: True),
                    refusal=refusal,
                )
            )
    return rules


@dataclass
class TokenBucket:
    """API Gateway's throttle for one route: ``burst`` requests at once, refilled at
    ``rate`` a second."""

    rate: float
    burst: float
    tokens: float = -1.0
    updated: float = 0.0

    def take(self, now: float) -> bool:
        if self.tokens < 0:
            self.tokens, self.updated = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def route_throttles(template: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(default route settings, route key -> settings) of the HTTP API's stage."""
    for props in resources(template, "AWS::ApiGatewayV2::Stage").values():
        return dict(props.get("DefaultRouteSettings", {})), dict(props.get("RouteSettings", {}))
    return {}, {}


@dataclass
class Limits:
    """The web ACL's rate rules and the API's throttles; ``enforced`` switches both."""

    template: Mapping[str, Any]
    enforced: bool = True
    clock: Clock = time.monotonic
    waf_path: Path = WAF_TEMPLATE

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget every count and refill every bucket."""
        with self._lock:
            self.rules = waf_rules(self.waf_path)
            self._default, self._routes = route_throttles(self.template)
            self._buckets: dict[str, TokenBucket] = {}

    @contextmanager
    def enforcing(self, clock: Clock | None = None) -> Iterator[Limits]:
        """Tests: the limits on, from fresh counts, for the block (with ``clock``, e.g. a
        stopped one, instead of the real time); as before afterwards."""
        before = self.enforced, self.clock
        self.reset()
        self.enforced, self.clock = True, clock or self.clock
        try:
            yield self
        finally:
            self.enforced, self.clock = before
            self.reset()

    def web_acl(self, client: str, method: str, path: str) -> Refusal | None:
        """What the web ACL answers this request, or None when it passes."""
        if not self.enforced:
            return None
        with self._lock:
            now = self.clock()
            # In priority order; the first rule that refuses ends the evaluation (a later
            # rule does not see, nor count, the request).
            for rule in self.rules:
                if rule.refuses(client, method, path, now):
                    return rule.refusal
        return None

    def throttle(self, route_key: str) -> Refusal | None:
        """What API Gateway answers this route's request, or None when it passes."""
        if not self.enforced:
            return None
        settings = {**self._default, **self._routes.get(route_key, {})}
        if "ThrottlingRateLimit" not in settings or "ThrottlingBurstLimit" not in settings:
            return None
        with self._lock:
            bucket = self._buckets.setdefault(
                route_key,
                TokenBucket(
                    float(settings["ThrottlingRateLimit"]),
                    float(settings["ThrottlingBurstLimit"]),
                ),
            )
            if bucket.take(self.clock()):
                return None
        return Refusal(429, "application/json", THROTTLED_BODY, f"throttle of {route_key}")
