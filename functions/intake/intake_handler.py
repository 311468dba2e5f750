"""POST /api/registrations: a partner registers a case.

JSON clients (the form's script) get JSON: ``202`` with the reference, ``422`` with every
problem. The plain HTML form (no JavaScript) posts ``application/x-www-form-urlencoded`` and
gets a page in the site's look (``vhcore.pages``): the confirmation with its own reference and
dates (``200``), or the form again, filled in with what was sent and with every problem beside
its field and in the summary. Both go through the same validation, logic and error mapping;
only the last step differs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from vhcore.dal.services import aws_services
from vhcore.errors import DomainError
from vhcore.formpost import decode_form
from vhcore.http import (
    INVALID,
    MAX_BODY_BYTES,
    Problem,
    UnreadableJson,
    answer,
    body_size,
    error_answer,
    not_through_cloudfront,
    problem,
    raw_body,
    read_json,
    request_id,
    unreadable_body,
)
from vhcore.http import media_type as request_media_type
from vhcore.log import logger, metrics
from vhcore.logic.intake import register
from vhcore.messages import dutch_errors
from vhcore.pages import confirmation_page, form_page
from vhcore.registration import RegistrationRequest
from vhcore.settings import settings

PATH = "/api/registrations"
ROUTE_KEY = f"POST {PATH}"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
HTML = "text/html; charset=utf-8"
NOT_FOUND = "Deze pagina bestaat niet."
TOO_LARGE = (
    "De aanmelding is te lang om te versturen. Maak de langste teksten korter, bijvoorbeeld "
    "de beschrijving van de problemen of wat er al is geprobeerd, en verstuur de aanmelding "
    "opnieuw."
)
WRONG_TYPE = "Stuur de aanmelding met het formulier op deze website."


def _invalid(event: dict[str, Any], errors: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    problems = dutch_errors(errors)
    logger.info("invalid request", extra={"fields": [p.field for p in problems]})
    return problem(422, Problem(message=INVALID, errors=problems, correlation_id=request_id(event)))


def post_registration(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The JSON answer to a registration: 202 with the reference, or the documented error.

    The body is validated by the same pydantic model the OpenAPI document describes
    (``intake.contract``); errors are translated by ``vhcore.messages`` as for every route.
    """
    text = raw_body(event).decode("utf-8")
    try:
        data = read_json(text) if text.strip() else None
    except UnreadableJson as exc:  # not JSON, a key twice, or nested too deeply
        return _invalid(event, [{"type": exc.kind, "loc": ("body",)}])
    if data is None:
        return _invalid(event, [{"type": "missing", "loc": ("body",)}])
    try:
        registration = RegistrationRequest.model_validate(data)
    except ValidationError as exc:
        # Only loc, type, ctx and our own messages are read: never the input.
        return _invalid(event, exc.errors(include_url=False, include_input=False))
    try:
        services = aws_services(
            "idempotency_table", "data_key_arn", "contact_key_arn", context=context
        )
        accepted = register(services, registration)
    except DomainError as exc:
        refused = error_answer(exc, "partner")
        refused.log(exc)
        return problem(
            refused.status, Problem(message=refused.message, correlation_id=request_id(event))
        )
    return answer(202, accepted.model_dump_json())


def _problem(
    event: dict[str, Any], status: int, message: str, *, form_post: bool, data: Any = None
) -> dict[str, Any]:
    if form_post:
        return _form_again(status, {"message": message, "correlation_id": request_id(event)}, data)
    return problem(status, Problem(message=message, correlation_id=request_id(event)))


def _form_again(status: int, answer_data: dict[str, Any], sent: Any) -> dict[str, Any]:
    """The form again, filled in with what was sent, with the problems (vhcore.pages)."""
    from vhcore.messages import FieldError

    errors = [FieldError.model_validate(e) for e in answer_data.get("errors") or []]
    page = form_page(
        sent if isinstance(sent, dict) else {},
        errors,
        title="Controleer uw aanmelding" if status == 422 else "Niet verstuurd",
        message=answer_data.get("message", ""),
        correlation_id=answer_data.get("correlation_id"),
    )
    return answer(status, page, content_type=HTML)


def _as_form_answer(result: dict[str, Any], sent: Any) -> dict[str, Any]:
    """Turn the JSON answer into what a browser without JavaScript needs: the confirmation
    with the registrant's own reference and dates, or the form again with its problems.
    Both are the answer to the POST itself, so no URL carries anything."""
    status = int(result["statusCode"])
    data = json.loads(result.get("body") or "{}")
    if status == 202:
        triage = data.get("triage_date")
        page = confirmation_page(
            data["reference"],
            dt.datetime.fromisoformat(data["respond_by"]),
            dt.date.fromisoformat(triage) if triage else None,
            receipt=bool(data.get("receipt")),
        )
        return answer(200, page, content_type=HTML)
    return _form_again(status, data, sent)


@metrics.log_metrics
@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True
)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("routeKey") != ROUTE_KEY:  # the HTTP API sends this function nothing else
        return problem(404, Problem(message=NOT_FOUND, correlation_id=request_id(event)))
    if (refused := not_through_cloudfront(event, settings().origin_secret)) is not None:
        return refused
    media_type = request_media_type(event)
    form_post = media_type == FORM
    if (size := body_size(event)) > MAX_BODY_BYTES:
        logger.info("body too large", extra={"bytes": size})
        return _problem(event, 413, TOO_LARGE, form_post=form_post, data=_decoded(event))
    if media_type not in (JSON, FORM):
        return _problem(event, 415, WRONG_TYPE, form_post=False)
    if not form_post and (refused := unreadable_body(event)) is not None:
        return refused
    data: dict[str, Any] = {}
    if form_post:
        data = _decoded(event)
        event = event | {"body": json.dumps(data), "isBase64Encoded": False}
    result = post_registration(event, context)
    return _as_form_answer(result, data) if form_post else result


def _decoded(event: dict[str, Any]) -> dict[str, Any]:
    """The plain form's fields, as the JSON API takes them ({} when unreadable)."""
    try:
        return decode_form(raw_body(event).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return {}
