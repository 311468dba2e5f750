"""The queue and stream consumers' one way of handling a batch: each record on its own, with
partial batch failures (the ``ReportBatchItemFailures`` response of Lambda's event source
mappings, ``infra/template.yaml``).

A small loop instead of Powertools' ``BatchProcessor``: that utility imports its typed data
classes, ``asyncio`` (for its async processor) and more, a cost of every cold start of each
consumer (``benchmarks/coldstart``); its behaviour here was this loop's."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypedDict

from vhcore.log import logger

Record = Mapping[str, Any]


class ItemFailure(TypedDict):
    itemIdentifier: str


class PartialItemFailureResponse(TypedDict):
    batchItemFailures: list[ItemFailure]


Consumer = Callable[[dict[str, Any], Any], PartialItemFailureResponse]


def message_id(record: Record) -> str:
    """An SQS record's identifier in a failure report."""
    return str(record["messageId"])


def sequence_number(record: Record) -> str:
    """A DynamoDB stream record's identifier in a failure report."""
    return str(record["dynamodb"]["SequenceNumber"])


def partial_batch(
    identifier: Callable[[Record], str], record_handler: Callable[[Record], None]
) -> Consumer:
    """Handle each record of a batch with ``record_handler``. A record that fails is reported
    as failed and delivered again (in the end to the dead-letter queue), also when all of
    them fail: no invocation error. The log names the record and the kind of error only (an
    exception's text may repeat what the record holds)."""

    def consume(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
        records = event.get("Records")
        if not isinstance(records, list):
            raise ValueError("not a batch of records")  # Lambda sends none without Records
        failures: list[ItemFailure] = []
        for record in records:
            try:
                record_handler(record)
            except Exception as exc:  # one bad record holds up no other
                failures.append({"itemIdentifier": identifier(record)})
                logger.warning(
                    "record failed",
                    extra={"record": identifier(record), "error": type(exc).__name__},
                )
        return {"batchItemFailures": failures}

    return consume
