"""POST /api/registrations: a partner registers a case.

JSON clients (the form's script) get JSON: ``202`` with the reference, ``422`` with every
problem. The plain HTML form (no JavaScript) posts ``application/x-www-form-urlencoded`` and
gets ``303`` to the confirmation page, or an HTML page listing the problems. Both go through
the same validation, logic and error mapping; only the last step differs.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from urllib.parse import urlencode

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from vhcore.calendar import to_local
from vhcore.dal import idempotency
from vhcore.formpost import decode_form
from vhcore.http import Problem, install_error_handlers, raw_body, unreadable_body
from vhcore.http import media_type as request_media_type
from vhcore.log import logger, metrics
from vhcore.logic.intake import register
from vhcore.pages import render
from vhcore.registration import RegistrationAccepted, RegistrationRequest

MAX_BODY_BYTES = 64 * 1024
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
CONFIRMATION = "/casus-aanmelden/bevestiging/"
TOO_LARGE = "De aanmelding is te groot (meer dan 64 kB). Maak de teksten korter."
WRONG_TYPE = "Stuur de aanmelding met het formulier op deze website."

app = APIGatewayHttpResolver(enable_validation=True)
install_error_handlers(app, logger)


@app.post(
    "/api/registrations",
    summary="Register a case",
    description=(
        "Validates and stores a registration once (idempotent by submission_id, or by content "
        "without one) and answers with its reference. Also accepts the plain HTML form "
        "(application/x-www-form-urlencoded), answered with 303 or an HTML page."
    ),
    responses={
        202: {"description": "Received", "content": {JSON: {"model": RegistrationAccepted}}},
        413: {"description": "Body over 64 KB", "content": {JSON: {"model": Problem}}},
        415: {"description": "Not JSON or a form post", "content": {JSON: {"model": Problem}}},
        422: {"description": "Invalid input", "content": {JSON: {"model": Problem}}},
        503: {"description": "Storage unavailable", "content": {JSON: {"model": Problem}}},
    },
)
def post_registration(
    registration: Annotated[RegistrationRequest, Body(embed=False)],
) -> Response[RegistrationAccepted]:
    idempotency.config().register_lambda_context(app.lambda_context)
    accepted = register(registration)
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=accepted,
        headers={"Cache-Control": "no-store"},
    )


def _problem(status: int, message: str, *, form_post: bool) -> dict[str, Any]:
    if form_post:
        return _html(
            status,
            render(
                "form-errors.html",
                title="Niet verstuurd",
                message=message,
                errors=[],
                correlation_id=None,
            ),
        )
    return {
        "statusCode": status,
        "headers": {"Content-Type": JSON, "Cache-Control": "no-store"},
        "body": Problem(message=message).model_dump_json(exclude_none=True),
        "isBase64Encoded": False,
    }


def _html(status: int, page: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"},
        "body": page,
        "isBase64Encoded": False,
    }


def _as_form_answer(result: dict[str, Any]) -> dict[str, Any]:
    """Turn the JSON answer into what a browser without JavaScript needs."""
    status = int(result["statusCode"])
    data = json.loads(result.get("body") or "{}")
    if status == 202:
        respond_by = to_local(dt.datetime.fromisoformat(data["respond_by"]))
        query = {"kenmerk": data["reference"], "contact": respond_by.date().isoformat()}
        if data.get("triage_date"):
            query["triage"] = data["triage_date"]
        return {
            "statusCode": 303,
            "headers": {
                "Location": f"{CONFIRMATION}?{urlencode(query)}",
                "Cache-Control": "no-store",
            },
            "body": "",
            "isBase64Encoded": False,
        }
    title = "Controleer uw aanmelding" if status == 422 else "Niet verstuurd"
    page = render(
        "form-errors.html",
        title=title,
        message=data.get("message", ""),
        errors=data.get("errors", []),
        correlation_id=data.get("correlation_id"),
    )
    return _html(status, page)


@metrics.log_metrics
@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True
)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    media_type = request_media_type(event)
    form_post = media_type == FORM
    body = raw_body(event)
    if len(body) > MAX_BODY_BYTES:
        logger.info("body too large", extra={"bytes": len(body)})
        return _problem(413, TOO_LARGE, form_post=form_post)
    if media_type not in (JSON, FORM):
        return _problem(415, WRONG_TYPE, form_post=False)
    if not form_post and (refused := unreadable_body(event)) is not None:
        return refused
    if form_post:
        try:
            data = decode_form(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            data = {}
        event = event | {
            "body": json.dumps(data),
            "isBase64Encoded": False,
            "headers": (event.get("headers") or {}) | {"content-type": JSON},
        }
    result: dict[str, Any] = app.resolve(event, context)
    return _as_form_answer(result) if form_post else result
