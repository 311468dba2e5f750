"""Triage queue consumer: places registrations on their triage agenda and parks the
workflow's task tokens until staff act. One bad message never blocks the others."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from vhcore.log import logger
from vhcore.logic import triage
from vhcore.messages_queue import TriageMessage

# A failed record is reported as such (and delivered again), also when all of them failed:
# no invocation error, no trace in the log.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: SQSRecord) -> None:
    message = TriageMessage.model_validate_json(record.body)
    match message.kind:
        case "enqueue":
            triage.enqueue(message.registration_id)
        case "await-decision":
            triage.park_decision_token(message.registration_id, message.require_token())
        case "await-close":
            triage.park_close_token(message.registration_id, message.require_token())


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
