"""POST /api/registrations: a partner registers a case."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from vhcore.http import Problem, install_error_handlers
from vhcore.log import logger
from vhcore.logic.intake import register
from vhcore.registration import RegistrationAccepted, RegistrationRequest

app = APIGatewayHttpResolver(enable_validation=True)
install_error_handlers(app, logger)


@app.post(
    "/api/registrations",
    summary="Register a case",
    description="Validates and stores a registration; answers with its reference.",
    responses={
        202: {
            "description": "Received",
            "content": {"application/json": {"model": RegistrationAccepted}},
        },
        422: {"description": "Invalid input", "content": {"application/json": {"model": Problem}}},
        503: {
            "description": "Storage unavailable",
            "content": {"application/json": {"model": Problem}},
        },
    },
)
def post_registration(
    registration: Annotated[RegistrationRequest, Body(embed=False)],
) -> Response[RegistrationAccepted]:
    accepted = register(registration)
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=accepted,
        headers={"Cache-Control": "no-store"},
    )


@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True
)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
