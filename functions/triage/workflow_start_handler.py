"""DynamoDB stream of the registrations table: start each new registration's workflow (the
stream retries until it runs; the execution name makes it once), count expired ones."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from vhcore.batch import PartialItemFailureResponse, Record, partial_batch, sequence_number
from vhcore.dal.services import aws_services
from vhcore.dal.streams import registration_in
from vhcore.log import logger, metrics
from vhcore.logic import workflow

TTL_PRINCIPAL = "dynamodb.amazonaws.com"


def record_handler(record: Record) -> None:
    change = record.get("dynamodb") or {}
    event_name = record.get("eventName")
    if event_name == "INSERT" and change.get("NewImage"):
        registration = registration_in(change["NewImage"])
        if registration is not None:
            workflow.start_for(aws_services("workflow_arn"), registration)
    elif event_name == "REMOVE" and change.get("OldImage"):
        identity = record.get("userIdentity") or {}
        registration = registration_in(change["OldImage"])
        if identity.get("principalId") == TTL_PRINCIPAL and registration is not None:
            workflow.expired(aws_services(), registration)


consume = partial_batch(sequence_number, record_handler)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume(event, context)
