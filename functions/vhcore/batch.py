"""The queue and stream consumers' one way of handling a batch (Powertools' batch utility)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

Consumer = Callable[[dict[str, Any], LambdaContext], PartialItemFailureResponse]


def partial_batch(event_type: EventType, record_handler: Callable[[Any], None]) -> Consumer:
    """Handle each record of a batch with ``record_handler``. A record that fails is reported
    as failed and delivered again (in the end to the dead-letter queue), also when all of
    them fail: no invocation error, and no trace in the log."""
    processor = BatchProcessor(event_type=event_type, raise_on_entire_batch_failure=False)

    def consume(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    return consume
