"""DynamoDB streams, as Lambda's stream poller runs them: read each shard in order from
``StartingPosition``, drop records that match none of the ``FilterCriteria``
(``devstack.events.filters``), call the handler. A reported failure (``itemIdentifier`` =
SequenceNumber) or an exception retries from the first failed record; after
``MaximumRetryAttempts`` retries the batch is skipped and a failure record goes to the
``DestinationConfig.OnFailure`` queue, as Lambda does. ``BisectBatchOnFunctionError`` and
``MaximumRecordAgeInSeconds`` are not simulated."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from devstack.events.core import Invocation, Pump, failed_ids, iso, lambda_json
from devstack.events.filters import matches
from devstack.events.ttl import TTL_IDENTITY
from vhtools.template import REGION

# Lambda retries stream batches forever by default (-1); locally that must end somewhere.
LOCAL_STREAM_RETRY_LIMIT = 10
SHARD_REFRESH_SECONDS = 5.0


@dataclass
class StreamSource:
    name: str
    function: str
    stream_arn: str
    batch_size: int = 100
    starting_position: str = "TRIM_HORIZON"
    max_retries: int = LOCAL_STREAM_RETRY_LIMIT
    report_failures: bool = False
    filters: list[dict[str, Any]] = field(default_factory=list)
    on_failure_url: str | None = None
    iterators: dict[str, str] = field(default_factory=dict)
    # Where to read next, per shard: (iterator type, sequence number), once records were read.
    positions: dict[str, tuple[str, str]] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    described_at: float = 0.0

    @property
    def table_name(self) -> str:
        return self.stream_arn.split(":table/", 1)[1].split("/stream/", 1)[0]

    def start(self, pump: Pump) -> None:
        """Position every shard at the mapping's StartingPosition (LATEST: now)."""
        self._discover(pump)

    def _discover(self, pump: Pump) -> list[str]:
        """The shards, looked up again every few seconds (AWS splits shards over time)."""
        if self.iterators and time.monotonic() - self.described_at < SHARD_REFRESH_SECONDS:
            return list(self.iterators)
        self.described_at = time.monotonic()
        streams = pump.client("dynamodbstreams")
        shards = streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in shards.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id not in self.iterators:
                self.iterators[shard_id] = streams.get_shard_iterator(
                    StreamArn=self.stream_arn,
                    ShardId=shard_id,
                    ShardIteratorType=self.starting_position,
                )["ShardIterator"]
        return list(self.iterators)

    def poll(self, pump: Pump) -> int:
        seen = 0
        for shard_id in self._discover(pump):
            seen += self._poll_shard(pump, shard_id)
        return seen

    def _iterator(self, streams: Any, shard_id: str) -> str:
        """An iterator from where this mapping stopped, taken afresh for every read, as
        Lambda's poller resumes by sequence number. An iterator kept across reads would go
        stale whenever the emulator replaces a table object: moto alone does so to roll back
        a cancelled transaction (``devstack.transactions`` stops that), and a kept iterator
        would read on in the discarded stream shard and never see another record."""
        position = self.positions.get(shard_id)
        if position is None and self.starting_position != "TRIM_HORIZON":
            return self.iterators[shard_id]  # LATEST: only the first iterator knows when
        kind, sequence = position or ("TRIM_HORIZON", "")
        where = {"SequenceNumber": sequence} if sequence else {}
        iterator: str = streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType=kind, **where
        )["ShardIterator"]
        return iterator

    def _poll_shard(self, pump: Pump, shard_id: str) -> int:
        streams = pump.client("dynamodbstreams")
        iterator = self._iterator(streams, shard_id)
        page = streams.get_records(ShardIterator=iterator, Limit=self.batch_size)
        raw = page.get("Records", [])
        following = page["NextShardIterator"]
        if not raw:
            self.iterators[shard_id] = following
            return 0
        done = ("AFTER_SEQUENCE_NUMBER", str(raw[-1]["dynamodb"]["SequenceNumber"]))
        records = [self._record(pump, r) for r in raw]
        batch = [r for r in records if self._wanted(r)]
        if not batch:
            self.iterators[shard_id] = following
            self.positions[shard_id] = done
            return len(raw)
        first = batch[0]["dynamodb"]["SequenceNumber"]
        sequence_numbers = [r["dynamodb"]["SequenceNumber"] for r in batch]
        error: str | None = None
        try:
            response = pump.invoke(self.function, {"Records": batch})
        except Exception as exc:
            pump.log_failure(self.function, self.name, exc)
            retry_from: str | None = first
            error = type(exc).__name__
        else:
            reported = (
                failed_ids(response, set(sequence_numbers)) if self.report_failures else set()
            )
            if reported is None:
                retry_from, error = first, "InvalidBatchItemFailures"
            else:
                retry_from = next((s for s in sequence_numbers if s in reported), None)
        failed = 0 if retry_from is None else len(batch) - sequence_numbers.index(retry_from)
        pump.record(Invocation(self.function, self.name, len(batch), failed, error))
        if retry_from is None:
            self.attempts.pop(shard_id, None)
            self.iterators[shard_id] = following
            self.positions[shard_id] = done
            return len(raw)
        attempts = self.attempts.get(shard_id, 0) + 1
        if attempts > self.max_retries:
            self.attempts.pop(shard_id, None)
            self._send_failure(pump, shard_id, batch[sequence_numbers.index(retry_from) :])
            self.iterators[shard_id] = following
            self.positions[shard_id] = done
            return len(raw)
        self.attempts[shard_id] = attempts
        self.positions[shard_id] = ("AT_SEQUENCE_NUMBER", retry_from)
        return len(raw)

    def _record(self, pump: Pump, raw: Mapping[str, Any]) -> dict[str, Any]:
        record: dict[str, Any] = lambda_json(dict(raw))
        record.update(
            eventVersion="1.1",
            eventSource="aws:dynamodb",
            awsRegion=REGION,
            eventSourceARN=self.stream_arn,
        )
        if record.get("eventName") == "REMOVE" and pump.was_ttl_deletion(
            self.table_name, record["dynamodb"].get("Keys", {})
        ):
            record["userIdentity"] = dict(TTL_IDENTITY)
        return record

    def _wanted(self, record: Mapping[str, Any]) -> bool:
        return not self.filters or any(matches(f, record) for f in self.filters)

    def _send_failure(self, pump: Pump, shard_id: str, batch: list[dict[str, Any]]) -> None:
        print(f"  {self.function}: retries exhausted, {len(batch)} stream record(s) skipped")
        if not self.on_failure_url:
            return
        arrivals = [r["dynamodb"].get("ApproximateCreationDateTime", 0) for r in batch]
        document = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": pump.function_arn(self.function),
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": self.max_retries + 1,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": "Unhandled",
            },
            "version": "1.0",
            "timestamp": iso(pump.clock.now()),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": iso(
                    dt.datetime.fromtimestamp(min(arrivals), dt.UTC)
                ),
                "approximateArrivalOfLastRecord": iso(
                    dt.datetime.fromtimestamp(max(arrivals), dt.UTC)
                ),
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            },
        }
        pump.client("sqs").send_message(
            QueueUrl=self.on_failure_url, MessageBody=json.dumps(document)
        )
