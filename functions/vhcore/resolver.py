"""The Powertools parts the resolver-based API functions (admin) share: one place that maps
domain errors to statuses, and the ``responses=`` of a documented route."""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse

from vhcore.errors import DomainError
from vhcore.http import ERRORS, INVALID, Audience, Problem, error_answer
from vhcore.messages import dutch_errors


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


def install_error_handlers(app: APIGatewayHttpResolver, logger: Logger, audience: Audience) -> None:
    """Answer validation errors with every problem in Dutch, and domain errors as
    ``vhcore.http.error_answer`` maps them. Never logs or returns what the user typed."""

    def correlation_id() -> str | None:
        return app.current_event.request_context.request_id

    @app.exception_handler(RequestValidationError)
    def invalid(exc: RequestValidationError) -> Response[str]:
        problems = dutch_errors(exc.errors())
        logger.info("invalid request", extra={"fields": [p.field for p in problems]})
        return _json(
            422, Problem(message=INVALID, errors=problems, correlation_id=correlation_id())
        )

    @app.exception_handler(DomainError)
    def refused(exc: DomainError) -> Response[str]:
        answer = error_answer(exc, audience)
        answer.log(exc)
        return _json(
            answer.status, Problem(message=answer.message, correlation_id=correlation_id())
        )
