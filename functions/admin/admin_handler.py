"""The staff API (/api/admin/...): behind the HTTP API's JWT authorizer; the group that may
use each route is checked here. Reading a case requires a purpose and is audited first."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from vhcore import clock
from vhcore.calendar import schedulable, to_local
from vhcore.dal.services import aws_services
from vhcore.errors import NotSchedulable
from vhcore.house import current_house
from vhcore.http import (
    INVALID,
    MAX_BODY_BYTES,
    OTHER_SITE,
    Problem,
    UnreadableJson,
    body_size,
    cross_site,
    media_type,
    not_through_cloudfront,
    problem,
    raw_body,
    read_json,
    request_id,
    unreadable_body,
)
from vhcore.log import logger
from vhcore.logic import cases
from vhcore.logic import staff as use_cases
from vhcore.messages import dutch_errors
from vhcore.ports import Services
from vhcore.registration import IsoDate, Urgency, multi_line, single_line
from vhcore.resolver import documented, install_error_handlers
from vhcore.settings import settings
from vhcore.staff import (
    ALL_STAFF,
    RIGHTS,
    EraseCategory,
    Forbidden,
    Group,
    PurposeCategory,
    Staff,
    from_claims,
)
from vhcore.status import Status

JSON = content_types.APPLICATION_JSON
NOT_JSON = "Stuur de gegevens met de beheerpagina."
TOO_LARGE = "De tekst is te lang om te versturen. Maak de tekst korter en probeer het opnieuw."

app = APIGatewayHttpResolver(enable_validation=True)
install_error_handlers(app, logger, audience="staff")

Reference = Annotated[str, Field(max_length=20, pattern=r"^VH-[A-Z0-9]{4}-[A-Z0-9]{4}$")]
Sort = Annotated[use_cases.Sort, Query(description="received (oldest first) or urgency")]

# The answers of the staff routes for the OpenAPI document (401 comes from the authorizer).
OK: dict[int, OpenAPIResponse] = {200: {"description": "OK"}}
READ = documented(OK, 403, 422, 503)
READ_CASE = documented(OK, 403, 404, 422, 503)
READ_ACTION = documented(OK, 403, 404, 413, 415, 422, 503)
ACTION = documented(OK, 403, 404, 409, 413, 415, 422, 503)


def _problem(status: int, message: str) -> Response[str]:
    return Response(
        status_code=status,
        content_type=JSON,
        body=Problem(message=message).model_dump_json(exclude_none=True),
        headers={"Cache-Control": "no-store"},
    )


def services() -> Services:
    """The ports this function's use cases run on (built per request: nothing is created
    that a request does not use; the clients are shared by the process)."""
    return aws_services("audit_table", "data_key_arn", "notify_queue_url", "workflow_arn")


def staff(allowed: frozenset[Group] = ALL_STAFF) -> Staff:
    """The caller, from the authorizer's claims; 403 when not in an allowed group."""
    authorizer = app.current_event.request_context.authorizer
    claims = authorizer.jwt_claim if authorizer else None
    if not claims:
        raise Forbidden("no claims")
    caller = from_claims(claims)
    caller.require(allowed)
    logger.append_keys(staff=caller.user_id)
    return caller


def _json(model: BaseModel | list[Any]) -> Response[Any]:
    return Response(
        status_code=200,
        content_type=JSON,
        body=model,
        headers={"Cache-Control": "no-store, private"},
    )


class Me(BaseModel):
    username: str = Field(max_length=254)
    groups: list[Annotated[str, Field(max_length=32)]] = Field(max_length=3)
    house: str = Field(max_length=200)
    upcoming_triage: str = Field(max_length=10)


@app.get("/api/admin/me", summary="Who is signed in", responses=READ)
def me() -> Response[Me]:
    caller = staff()
    return _json(
        Me(
            username=caller.username,
            groups=sorted(g.value for g in caller.groups),
            house=current_house().name,
            upcoming_triage=use_cases.upcoming_triage(),
        )
    )


@app.get("/api/admin/queue", summary="The triage queue (clear fields only)", responses=READ)
def get_queue(
    triage_date: Annotated[
        str | None,
        Query(
            max_length=10,
            pattern=r"^(\d{4}-\d{2}-\d{2}|te-plannen)$",
            description="A triage date, or te-plannen; default: the upcoming meeting.",
        ),
    ] = None,
    status: Annotated[str | None, Query(max_length=32)] = None,
    sort: Sort = "received",
) -> Response[list[use_cases.QueueEntry]]:
    staff(RIGHTS["read"])
    return _json(use_cases.queue(services(), triage_date, status, sort))


@app.get(
    "/api/admin/cases",
    summary="Every open case, urgent first, with filters (clear fields only; not audited)",
    responses=READ,
)
def open_cases(
    status: Annotated[
        Status | None, Query(description="Only this status (closed: with a whole reference)")
    ] = None,
    urgency: Annotated[Urgency | None, Query()] = None,
    triage_date: Annotated[
        str | None,
        Query(
            max_length=10,
            pattern=r"^(\d{4}-\d{2}-\d{2}|te-plannen)$",
            description="A triage date, or te-plannen for the cases without one.",
        ),
    ] = None,
    organisation: Annotated[
        str | None, Query(max_length=64, description="The registrant's organisation (its id)")
    ] = None,
    reference: Annotated[
        str | None,
        Query(
            max_length=20,
            pattern=r"^[A-Za-z0-9-]+$",
            description="A reference (any status) or a part of one (open cases).",
        ),
    ] = None,
) -> Response[use_cases.Overview]:
    staff(RIGHTS["read"])
    wanted = use_cases.OverviewFilter(
        status=status,
        urgency=urgency.value if urgency else None,
        triage_date=triage_date,
        organisation=organisation,
        reference=reference.strip().upper() if reference else None,
    )
    return _json(use_cases.overview(services(), wanted))


@app.get(
    "/api/admin/agenda/<triage_date>", summary="The agenda of one triage meeting", responses=READ
)
def get_agenda(
    triage_date: Annotated[IsoDate, Path(description="Date of the meeting (YYYY-MM-DD)")],
    sort: Sort = "urgency",
) -> Response[use_cases.Agenda]:
    staff(RIGHTS["read"])
    return _json(use_cases.agenda(services(), triage_date, sort))


class ReadBody(BaseModel):
    """Why a case is opened: a category, and in words if the person wants (encrypted)."""

    model_config = {"extra": "forbid"}
    purpose_category: PurposeCategory
    purpose: Annotated[str, single_line(500, min_length=0)] = ""


@app.post(
    "/api/admin/registrations/<reference>/read",
    summary="One registration in full (decrypted; audited before it is read)",
    responses=READ_ACTION,
)
def read_case(reference: str, body: Annotated[ReadBody, Body()]) -> Response[use_cases.Case]:
    caller = staff(RIGHTS["read"])
    return _json(
        use_cases.read_case(services(), reference, caller, body.purpose_category, body.purpose)
    )


class Note(BaseModel):
    model_config = {"extra": "forbid"}
    reason: Annotated[str, multi_line(2000, min_length=3)]


class ScheduleBody(Note):
    triage_date: Annotated[
        IsoDate,
        Field(
            description="A working day from today on: not in a weekend, not on a holiday; in a "
            "house with a weekly triage its triage day, unless extra_triage."
        ),
    ]
    extra_triage: bool = Field(
        default=False,
        description="An extra triage on another day than the house's triage day: only for an "
        "urgent registration (refused with 422 otherwise).",
    )

    @field_validator("triage_date")
    @classmethod
    def _a_day_a_triage_can_be_held(cls, value: dt.date) -> dt.date:
        refused = schedulable(value, to_local(clock.now()).date())
        if refused:
            raise PydanticCustomError("vh_schedulable", refused)
        return value


def _outcome_ids(schema: dict[str, Any]) -> None:
    """The house's outcomes, when the schema is generated (never at import)."""
    schema["enum"] = [outcome.id for outcome in current_house().outcomes]


class DecisionBody(BaseModel):
    model_config = {"extra": "forbid"}
    outcome: Annotated[str, Field(max_length=64, json_schema_extra=_outcome_ids)]
    advice: Annotated[str, multi_line(4000, min_length=3)]
    process_director: Annotated[str, single_line(100, min_length=2)]

    @field_validator("outcome")
    @classmethod
    def _outcome_of_this_house(cls, value: str) -> str:
        if value not in {outcome.id for outcome in current_house().outcomes}:
            raise PydanticCustomError("vh_outcome", "Kies een uitkomst van dit Veiligheidshuis.")
        return value


def _action(reference: str, action: str, reason: str, **details: Any) -> Response[Any]:
    caller = staff(RIGHTS[action])
    return _json(use_cases.act(services(), reference, caller, action, reason, **details))


@app.post(
    "/api/admin/registrations/<reference>/contact",
    summary="Record contact (stops reminders)",
    responses=ACTION,
)
def record_contact(reference: str, body: Annotated[Note, Body()]) -> Response[use_cases.Case]:
    return _action(reference, "contact", body.reason)


@app.post(
    "/api/admin/registrations/<reference>/information-request",
    summary="Ask for more information",
    responses=ACTION,
)
def request_information(reference: str, body: Annotated[Note, Body()]) -> Response[use_cases.Case]:
    return _action(reference, "information-request", body.reason)


@app.post(
    "/api/admin/registrations/<reference>/information-received",
    summary="Information came in",
    responses=ACTION,
)
def information_received(reference: str, body: Annotated[Note, Body()]) -> Response[use_cases.Case]:
    return _action(reference, "information-received", body.reason)


@app.post(
    "/api/admin/registrations/<reference>/schedule",
    summary="Put on a triage agenda",
    responses=ACTION,
)
def schedule(reference: str, body: Annotated[ScheduleBody, Body()]) -> Response[use_cases.Case]:
    try:
        return _action(
            reference,
            "schedule",
            body.reason,
            triage_date=body.triage_date,
            extra_triage=body.extra_triage,
        )
    except NotSchedulable as exc:
        # The house's triage day is a rule of the date field: answered as the field's own
        # problem, in the same shape as a date in the past or on a holiday.
        raise RequestValidationError(
            [{"type": "vh_schedulable", "loc": ("body", "triage_date"), "msg": str(exc)}]
        ) from exc


@app.post(
    "/api/admin/registrations/<reference>/decision",
    summary="Record the decision",
    responses=ACTION,
)
def decide(reference: str, body: Annotated[DecisionBody, Body()]) -> Response[use_cases.Case]:
    return _action(
        reference,
        "decision",
        body.advice,
        outcome=body.outcome,
        process_director=body.process_director,
    )


@app.post(
    "/api/admin/registrations/<reference>/plan",
    summary="Record or change the plan after triage of a case taken on (sealed; audited)",
    responses=ACTION,
)
def save_plan(reference: str, body: Annotated[cases.Plan, Body()]) -> Response[use_cases.Case]:
    return _action(reference, "plan", "", plan=body)


@app.post("/api/admin/registrations/<reference>/close", summary="Close the case", responses=ACTION)
def close(reference: str, body: Annotated[Note, Body()]) -> Response[use_cases.Case]:
    return _action(reference, "close", body.reason)


class ExportBody(BaseModel):
    """Why the case leaves the system, in the person's own words (required; sealed in the
    audit log)."""

    model_config = {"extra": "forbid"}
    purpose: Annotated[str, single_line(500, min_length=3)]


@app.post(
    "/api/admin/registrations/<reference>/export",
    summary="One case for the chain's case file (decrypted; audited with the typed purpose)",
    responses=READ_ACTION,
)
def export_case(
    reference: str, body: Annotated[ExportBody, Body()]
) -> Response[use_cases.CaseExport]:
    caller = staff(RIGHTS["export"])
    return _json(use_cases.export_case(services(), reference, caller, body.purpose))


@app.get(
    "/api/admin/registrations/<reference>/audit",
    summary="Audit trail (beheer only)",
    responses=READ_CASE,
)
def audit_trail(reference: str) -> Response[list[use_cases.AuditRecord]]:
    caller = staff(RIGHTS["audit"])
    return _json(use_cases.audit_trail(services(), reference, caller))


class EraseBody(BaseModel):
    model_config = {"extra": "forbid"}
    category: EraseCategory


class Erased(BaseModel):
    reference: Reference
    erased: bool


@app.post(
    "/api/admin/registrations/<reference>/erase",
    summary="Erase a case before its retention ends (beheer only; the audit log keeps why)",
    responses=ACTION,
)
def erase(reference: str, body: Annotated[EraseBody, Body()]) -> Response[Erased]:
    caller = staff(RIGHTS["erase"])
    use_cases.erase(services(), reference, caller, body.category)
    return _json(Erased(reference=reference, erased=True))


Month = Annotated[str, Query(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", max_length=7)]


@app.get(
    "/api/admin/audit",
    summary="The audit trail across cases, by month (beheer only; no typed text)",
    responses=READ,
)
def audit_log(
    van: Month,
    tot: Month,
    persoon: Annotated[str, Query(max_length=254)] = "",
    actie: Annotated[str, Query(max_length=64)] = "",
) -> Response[list[use_cases.AuditLogRecord]]:
    caller = staff(RIGHTS["audit"])
    months = use_cases.months_between(van, tot)
    if not months or len(months) > use_cases.MAX_AUDIT_MONTHS:
        # Answered as any invalid input (422, in Dutch): the period itself is wrong.
        raise RequestValidationError(
            [
                {
                    "type": "vh_audit_period",
                    "loc": ("query", "tot"),
                    "msg": "Kies een periode van 1 tot 12 maanden, met de eerste maand eerst.",
                }
            ]
        )
    records = use_cases.audit_log(
        services(), caller, van, tot, actor=persoon.strip(), action=actie.strip()
    )
    return _json(records)


@app.get(
    "/api/admin/figures",
    summary="Figures for the annual report (no personal data)",
    responses=READ,
)
def figures(
    year: Annotated[int, Query(ge=2000, le=2100)] = 0,
    periode: Annotated[
        str,
        Query(
            pattern=r"^(Q[1-4]|0[1-9]|1[0-2])?$",
            max_length=2,
            description="Empty: the year; Q1-Q4: a quarter; 01-12: a month",
        ),
    ] = "",
) -> Response[use_cases.Figures]:
    staff(RIGHTS["figures"])
    return _json(use_cases.figures(services(), year or clock.now().year, periode))


@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True
)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """The request's body is checked here, before the resolver parses it: its size, media
    type and encoding, and its JSON (no key twice, not nested deeply), as intake checks it."""
    if (refused := not_through_cloudfront(event, settings().origin_secret)) is not None:
        return refused
    if (size := body_size(event)) > MAX_BODY_BYTES:
        logger.info("body too large", extra={"bytes": size})
        return problem(413, Problem(message=TOO_LARGE, correlation_id=request_id(event)))
    if cross_site(event, settings().site):
        # Every route changes a case, decrypts one or shows personal data: none may be
        # triggered by another site's page through the session cookie.
        logger.warning("cross-site request refused")
        return problem(403, Problem(message=OTHER_SITE, correlation_id=request_id(event)))
    if event.get("body") and media_type(event) != JSON:
        # Staff actions take JSON only (Powertools would also parse form and multipart bodies).
        return problem(415, Problem(message=NOT_JSON, correlation_id=request_id(event)))
    refused = unreadable_body(event)
    if refused is not None:
        return refused
    if event.get("body"):
        try:
            read_json(raw_body(event).decode("utf-8"))
        except UnreadableJson as exc:
            errors = dutch_errors([{"type": exc.kind, "loc": ("body",)}])
            logger.info("unreadable body", extra={"error": exc.kind})
            return problem(
                422, Problem(message=INVALID, errors=errors, correlation_id=request_id(event))
            )
    return app.resolve(event, context)
