"""DynamoDB stream of the registrations table: start each new registration's workflow (the
stream retries until it runs; the execution name makes it once), count expired ones."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from vhcore.log import logger, metrics
from vhcore.logic import workflow

# A failed record is reported as such (and delivered again), also when all of them failed.
processor = BatchProcessor(
    event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False
)
TTL_PRINCIPAL = "dynamodb.amazonaws.com"


def record_handler(record: DynamoDBRecord) -> None:
    change = record.dynamodb
    if change is None:
        return
    if record.event_name == DynamoDBRecordEventName.INSERT and change.new_image:
        workflow.start_for(change.new_image)
    elif record.event_name == DynamoDBRecordEventName.REMOVE and change.old_image:
        identity = record.raw_event.get("userIdentity") or {}
        if identity.get("principalId") == TTL_PRINCIPAL:
            workflow.expired(change.old_image)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
