"""Notify queue consumer: renders Dutch e-mails without personal data of betrokkenen and
sends them with SES. A message that keeps failing ends in the dead-letter queue."""

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

from vhcore.log import logger, metrics
from vhcore.logic import notify
from vhcore.messages_queue import NotifyMessage

# A failed record is reported as such (and delivered again), also when all of them failed:
# no invocation error, no trace in the log.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def record_handler(record: SQSRecord) -> None:
    notify.handle(NotifyMessage.model_validate_json(record.body).model_dump(exclude_none=True))


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
