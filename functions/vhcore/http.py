"""HTTP answers shared by the API functions, without Powertools' event handler: the error
body every route sends (``Problem``), and reading a request's media type and body.

Intake answers with these alone (it has one route, and its cold start is what a partner
waits for); the Powertools parts (error handlers, documented responses) are in
``vhcore.resolver``."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

from vhcore.errors import (
    ConcurrentChange,
    DomainError,
    Forbidden,
    IllegalTransition,
    NoPlan,
    NotFound,
    NotSchedulable,
    StorageUnavailable,
    SubmissionChanged,
)
from vhcore.log import logger
from vhcore.messages import FieldError

UNAVAILABLE = "Het is nu niet gelukt om uw aanmelding op te slaan. Probeer het later opnieuw."
STAFF_UNAVAILABLE = "De gegevens zijn nu niet bereikbaar. Probeer het later opnieuw."
FORBIDDEN = "U mag dit niet doen met uw rol."
NOT_FOUND_CASE = "Deze aanmelding bestaat niet (meer)."
CHANGED = "Iemand anders heeft deze aanmelding net gewijzigd. Laad haar opnieuw."
SUBMISSION_CHANGED = (
    "Deze aanmelding is al verstuurd, met andere gegevens. Laad de pagina opnieuw en verstuur "
    "de aanmelding nog een keer."
)
INTERNAL = "Er ging iets mis aan onze kant. Probeer het later opnieuw."
INVALID = "Niet alle gegevens zijn goed ingevuld."
JSON = "application/json"
# What a request body may be, for every API function: its size as sent, and how deeply
# its JSON nests (the form nests 3 levels; Python's parser fails far deeper, and what reads
# the data afterwards may fail before that).
MAX_BODY_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32

# What each error status means, for the OpenAPI document.
ERRORS = {
    400: "Sign-in expired or failed",
    401: "Not signed in, or the session has ended (idle, a working day, signed out)",
    403: "Not allowed for the caller's group",
    404: "No such registration",
    409: "Not possible in the case's status, or changed by someone else",
    413: "Body over 64 KB",
    415: "Not the media type the route takes",
    422: "Invalid input",
    503: "Storage unavailable",
}


Audience = Literal["partner", "staff"]


@dataclass(frozen=True)
class ErrorAnswer:
    """How one domain error is answered: the status, the Dutch message, and how loud the
    log line is (an answer the caller caused is not an error of ours)."""

    status: int
    message: str
    level: Literal["info", "warning", "error"] = "info"

    def log(self, exc: DomainError) -> None:
        """One log line for the refusal: the error's kind and its (id-only) reason."""
        write = {"info": logger.info, "warning": logger.warning, "error": logger.error}
        write[self.level](
            "request refused",
            extra={"error": type(exc).__name__, "status": self.status, "reason": str(exc)},
        )


def error_answer(exc: DomainError, audience: Audience) -> ErrorAnswer:
    """The one map from domain errors to answers, for every API function."""
    match exc:
        case Forbidden():
            return ErrorAnswer(403, FORBIDDEN)
        case NotFound():
            return ErrorAnswer(404, NOT_FOUND_CASE)
        case IllegalTransition():
            return ErrorAnswer(409, str(exc))
        case NotSchedulable():
            return ErrorAnswer(422, str(exc))
        case NoPlan():
            return ErrorAnswer(409, str(exc))
        case ConcurrentChange():
            return ErrorAnswer(409, CHANGED)
        case SubmissionChanged():
            return ErrorAnswer(409, SUBMISSION_CHANGED)
        case StorageUnavailable():
            message = UNAVAILABLE if audience == "partner" else STAFF_UNAVAILABLE
            return ErrorAnswer(503, message, "warning")
        case _:  # a misconfiguration, or an error the rules should have handled
            return ErrorAnswer(500, INTERNAL, "error")


class Problem(BaseModel):
    """Error answer: a Dutch message, the problems per field, and an id to quote."""

    message: str = Field(max_length=500)
    errors: list[FieldError] = Field(default_factory=list, max_length=200)
    correlation_id: str | None = Field(default=None, max_length=64)


def media_type(event: dict[str, Any]) -> str:
    """The request's media type (``application/json``), lower case, without parameters."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    return str(headers.get("content-type", "")).split(";", 1)[0].strip().lower()


def raw_body(event: dict[str, Any]) -> bytes:
    """The request body as sent (API Gateway base64-encodes what it does not take as text)."""
    body = event.get("body") or ""
    return base64.b64decode(body) if event.get("isBase64Encoded") else str(body).encode()


def request_id(event: dict[str, Any]) -> str | None:
    """API Gateway's id of the request: the correlation id a user can quote."""
    value = (event.get("requestContext") or {}).get("requestId")
    return str(value)[:64] if value else None


def answer(
    status: int,
    body: str,
    content_type: str | None = JSON,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Lambda proxy answer for the HTTP API; never cached."""
    typed = {"Content-Type": content_type} if content_type else {}
    return {
        "statusCode": status,
        "headers": typed | {"Cache-Control": "no-store"} | (headers or {}),
        "body": body,
        "isBase64Encoded": False,
    }


def problem(status: int, problem: Problem) -> dict[str, Any]:
    """An error answer carrying ``problem`` as JSON."""
    return answer(status, problem.model_dump_json(exclude_none=True))


# Only CloudFront reaches the API: the distribution adds this header (infra/template.yaml,
# OriginCustomHeaders) with the stack's origin secret; a request to the execute-api address
# itself has none, or a wrong one.
ORIGIN_HEADER = "x-origin-verify"
NOT_THROUGH_SITE = "Dit adres is niet te gebruiken. Ga naar de website en probeer het daar opnieuw."


def through_cloudfront(event: dict[str, Any], secret: str | None) -> bool:
    """Whether the request carries the origin secret CloudFront adds (compared in constant
    time). A function deployed without ``ORIGIN_SECRET`` checks nothing: the template gives
    it to every API function (tests/infrastructure)."""
    if secret is None:
        return True
    given = str((event.get("headers") or {}).get(ORIGIN_HEADER, ""))
    return hmac.compare_digest(given.encode("utf-8"), secret.encode("utf-8"))


def not_through_cloudfront(event: dict[str, Any], secret: str | None) -> dict[str, Any] | None:
    """403 in Dutch for a request that did not come through CloudFront, else None."""
    if through_cloudfront(event, secret):
        return None
    logger.warning("request without the origin header refused")
    return problem(403, Problem(message=NOT_THROUGH_SITE, correlation_id=request_id(event)))


OTHER_SITE = (
    "Dit verzoek komt niet van de beheerpagina. Open de beheerpagina en probeer het opnieuw."
)
# What a browser says of a request that a page of this site sent itself ("none": the user
# typed the address or used a bookmark; no page of another site was involved).
SAME_SITE_FETCHES = frozenset({"same-origin", "none"})


def cross_site(event: dict[str, Any], site: str) -> bool:
    """A browser request sent by a page of another site (cross-site request forgery): its
    ``Sec-Fetch-Site`` is not same-origin, or its ``Origin`` is not ``site``. Requests
    without these headers do not come from a browser's page and carry no cookie of ours
    unless the caller holds the token itself."""
    headers = {k.lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.lower() not in SAME_SITE_FETCHES:
        return True
    origin = headers.get("origin")
    return origin is not None and origin.rstrip("/") != site.rstrip("/")


def body_size(event: dict[str, Any]) -> int:
    """The size of the body in bytes, as sent (an unreadable base64 body: its length)."""
    try:
        return len(raw_body(event))
    except binascii.Error:
        return len(str(event.get("body") or ""))


class UnreadableJson(ValueError):
    """A body that is not JSON the API reads; ``kind`` is the error type that
    ``vhcore.messages`` translates (``json_invalid``, ``json_duplicate_key``,
    ``json_too_deep``)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _object(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are each given once: with a key twice, which value is meant
    is unclear (Python's parser would silently keep the last)."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise UnreadableJson("json_duplicate_key")
        result[key] = value
    return result


def _depth(data: Any) -> int:
    """How deeply objects and arrays nest (a scalar: 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            stack.extend(
                (child, depth) for child in (node.values() if isinstance(node, dict) else node)
            )
    return deepest


def read_json(text: str) -> Any:
    """The JSON in ``text``; ``UnreadableJson`` when it is not valid JSON, gives an object
    key twice (at any depth), or nests deeper than ``MAX_JSON_DEPTH``."""
    try:
        data = json.loads(text, object_pairs_hook=_object)
    except UnreadableJson:
        raise
    except RecursionError:  # nested deeper than Python's stack
        raise UnreadableJson("json_too_deep") from None
    except ValueError:
        raise UnreadableJson("json_invalid") from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise UnreadableJson("json_too_deep")
    return data


def unreadable_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """422 for a body that is not UTF-8 text, as JSON must be (Powertools would fail on it);
    None when the body can be read."""
    try:
        raw_body(event).decode("utf-8")
    except (UnicodeDecodeError, binascii.Error):
        return problem(422, Problem(message=INVALID, correlation_id=request_id(event)))
    return None
