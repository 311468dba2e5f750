"""The intake route as the OpenAPI document describes it.

``intake_handler`` answers its one route without Powertools' resolver, whose import alone
cost a partner ~170 ms on every cold start. This resolver describes that route with the
same models, so ``python -m devstack.openapi`` documents what the handler does; it is never
imported by the handler. Fuzzing the local stack against the document (``tests/fuzz``) checks
that every answer the handler gives is one the document names.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Body

from intake import intake_handler
from vhcore.http import Problem
from vhcore.registration import RegistrationAccepted, RegistrationRequest
from vhcore.resolver import documented

app = APIGatewayHttpResolver(enable_validation=True)


@app.post(
    intake_handler.PATH,
    summary="Register a case",
    description=(
        "Validates and stores a registration once (idempotent by submission_id, or by content "
        "without one) and answers with its reference. Also accepts the plain HTML form "
        "(application/x-www-form-urlencoded), answered with an HTML page in the site's look: "
        "200 with the confirmation (the reference and the promised dates), or the form again, "
        "filled in with what was sent, with the problems (the error's status)."
    ),
    responses=documented(
        {
            200: {
                "description": "Received (plain HTML form): the confirmation page",
                "content": {"text/html": {"schema": {"type": "string"}}},
            },
            202: {
                "description": "Received",
                "content": {intake_handler.JSON: {"model": RegistrationAccepted}},
            },
            409: {
                "description": "The submission_id was sent before with other content",
                "content": {intake_handler.JSON: {"model": Problem}},
            },
        },
        413,
        415,
        422,
        503,
    ),
)
def post_registration(
    registration: Annotated[RegistrationRequest, Body(embed=False)],
) -> Response[RegistrationAccepted]:
    """Described here, answered by ``intake_handler.handler`` (see the module docstring)."""
    raise NotImplementedError(intake_handler.post_registration.__qualname__)
