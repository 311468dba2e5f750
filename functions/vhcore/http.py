"""HTTP concerns shared by the API functions: one place that maps errors to statuses."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from vhcore.errors import ConfigurationError, StorageUnavailable
from vhcore.messages import FieldError, dutch_errors

UNAVAILABLE = "Het is nu niet gelukt om uw aanmelding op te slaan. Probeer het later opnieuw."
INTERNAL = "Er ging iets mis aan onze kant. Probeer het later opnieuw."
INVALID = "Niet alle gegevens zijn goed ingevuld."


class Problem(BaseModel):
    """Error answer: a Dutch message, the problems per field, and an id to quote."""

    message: str = Field(max_length=500)
    errors: list[FieldError] = Field(default_factory=list, max_length=200)
    correlation_id: str | None = Field(default=None, max_length=64)


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
