"""HTTP concerns shared by the API functions: one place that maps errors to statuses."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import BaseModel, Field

from vhcore.errors import ConfigurationError, StorageUnavailable
from vhcore.messages import FieldError, dutch_errors

UNAVAILABLE = "Het is nu niet gelukt om uw aanmelding op te slaan. Probeer het later opnieuw."
INTERNAL = "Er ging iets mis aan onze kant. Probeer het later opnieuw."
INVALID = "Niet alle gegevens zijn goed ingevuld."
JSON = content_types.APPLICATION_JSON


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


def unreadable_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """422 for a body that is not UTF-8 text, as JSON must be (Powertools would fail on it);
    None when the body can be read."""
    try:
        raw_body(event).decode("utf-8")
    except (UnicodeDecodeError, binascii.Error):
        return {
            "statusCode": 422,
            "headers": {"Content-Type": JSON, "Cache-Control": "no-store"},
            "body": Problem(message=INVALID).model_dump_json(exclude_none=True),
            "isBase64Encoded": False,
        }
    return None


# What each error status means, for the OpenAPI document (``documented``).
ERRORS = {
    400: "Sign-in expired or failed",
    403: "Not allowed for the caller's group",
    404: "No such registration",
    409: "Not possible in the case's status, or changed by someone else",
    413: "Body over 64 KB",
    415: "Not the media type the route takes",
    422: "Invalid input",
    503: "Storage unavailable",
}


def documented(success: dict[int, OpenAPIResponse], *errors: int) -> dict[int, OpenAPIResponse]:
    """A route's ``responses=``: its success answers and the errors it can give, each answered
    as ``Problem``. A success without ``content`` is documented with the route's return type."""
    problems: dict[int, OpenAPIResponse] = {
        status: {
            "description": ERRORS[status],
            "content": {content_types.APPLICATION_JSON: {"model": Problem}},
        }
        for status in errors
    }
    return success | problems


def _json(status: int, problem: Problem) -> Response[str]:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=problem.model_dump_json(exclude_none=True),
        headers={"Cache-Control": "no-store"},
    )


def install_error_handlers(
    app: APIGatewayHttpResolver, logger: Logger, unavailable_message: str = UNAVAILABLE
) -> None:
    """Map domain errors to statuses. Never logs or returns what the user typed."""

    def correlation_id() -> str | None:
        return app.current_event.request_context.request_id

    @app.exception_handler(RequestValidationError)
    def invalid(exc: RequestValidationError) -> Response[str]:
        problems = dutch_errors(exc.errors())
        logger.info("invalid request", extra={"fields": [p.field for p in problems]})
        return _json(
            422, Problem(message=INVALID, errors=problems, correlation_id=correlation_id())
        )

    @app.exception_handler(StorageUnavailable)
    def unavailable(exc: StorageUnavailable) -> Response[str]:
        logger.warning("storage unavailable", extra={"reason": str(exc)})
        return _json(503, Problem(message=unavailable_message, correlation_id=correlation_id()))

    @app.exception_handler(ConfigurationError)
    def misconfigured(exc: ConfigurationError) -> Response[str]:
        logger.error("function misconfigured", extra={"reason": str(exc)})
        return _json(500, Problem(message=INTERNAL, correlation_id=correlation_id()))
