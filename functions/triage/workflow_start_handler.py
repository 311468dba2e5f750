"""DynamoDB stream of the registrations table: start each new registration's workflow (the
stream retries until it runs; the execution name makes it once), count expired ones."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import EventType
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from vhcore.batch import partial_batch
from vhcore.dal.services import aws_services
from vhcore.dal.streams import registration_in
from vhcore.log import logger, metrics
from vhcore.logic import workflow

TTL_PRINCIPAL = "dynamodb.amazonaws.com"


def record_handler(record: DynamoDBRecord) -> None:
    change = record.dynamodb
    if change is None:
        return
    if record.event_name == DynamoDBRecordEventName.INSERT and change.new_image:
        registration = registration_in(change.new_image)
        if registration is not None:
            workflow.start_for(aws_services("workflow_arn"), registration)
    elif record.event_name == DynamoDBRecordEventName.REMOVE and change.old_image:
        identity = record.raw_event.get("userIdentity") or {}
        registration = registration_in(change.old_image)
        if identity.get("principalId") == TTL_PRINCIPAL and registration is not None:
            workflow.expired(aws_services(), registration)


consume = partial_batch(EventType.DynamoDBStreams, record_handler)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume(event, context)
