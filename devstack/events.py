"""The event sources of the template, run in-process: what Lambda's pollers and EventBridge
Scheduler do in AWS, done here against the moto server so the real handlers get real events.

Everything is read from the transformed template: every ``AWS::Lambda::EventSourceMapping``
(SQS queues and DynamoDB streams) and every ``AWS::Scheduler::Schedule``. Nothing is created
in moto for them (no Lambda functions, no mappings): moto cannot run Lambda without Docker.

SQS (as Lambda's poller): receive up to ``BatchSize`` messages, call the handler with an SQS
event, delete what succeeded. With ``ReportBatchItemFailures`` the ``batchItemFailures`` in
the response are kept, everything else is deleted; an exception (or an invalid response)
fails the whole batch. Failed messages are made visible again at once (AWS waits for the
queue's visibility timeout), so moto's redrive moves them to the dead-letter queue after
``maxReceiveCount`` receives.

DynamoDB streams (as Lambda's stream poller): read each shard in order from
``StartingPosition``, drop records that match none of the ``FilterCriteria``, call the
handler. A reported failure (``itemIdentifier`` = SequenceNumber) or an exception retries
from the first failed record; after ``MaximumRetryAttempts`` retries the batch is skipped and
a failure record goes to the ``DestinationConfig.OnFailure`` queue, as Lambda does.
``BisectBatchOnFunctionError`` and ``MaximumRecordAgeInSeconds`` are not simulated.

Filter patterns: the EventBridge-pattern subset the templates use, applied to the event
record: nested objects, lists of allowed values (strings, numbers, null), and the operators
``{"exists": bool}``, ``{"prefix": str}`` and ``{"anything-but": [...]}``. A value in the
record that is a list matches when any element does; filters are OR-ed. Any other operator
is refused when the pump starts, so a template cannot rely on an unsimulated rule.

Schedules: see ``devstack.cron``. A schedule fires its target function on the simulated
clock (``SimClock.advance`` fires each at its moment; the background thread fires those that
come due in real time) or on demand with ``fire(logical_id)``.

TTL: moto has no TTL reaper. ``sweep_ttl()`` deletes items whose TTL attribute (from the
table's ``TimeToLiveSpecification``) is before the simulated now; their stream records
carry ``userIdentity`` ``{"type": "Service", "principalId": "dynamodb.amazonaws.com"}``, as
AWS marks deletions by TTL.
"""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import json
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from devstack.clock import SimClock
from devstack.cron import ScheduleExpression
from devstack.gateway import LambdaContext
from devstack.provision import Stack, client
from vhtools.template import ACCOUNT, REGION, resources

Handler = Callable[[dict[str, Any], Any], Any]
TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
# Lambda retries stream batches forever by default (-1); locally that must end somewhere.
LOCAL_STREAM_RETRY_LIMIT = 10
SHARD_REFRESH_SECONDS = 5.0
SUPPORTED_OPERATORS = frozenset({"exists", "prefix", "anything-but"})


# --- Filter patterns -----------------------------------------------------------------------


def check_pattern(pattern: Any, where: str = "pattern") -> None:
    """Refuse what ``matches`` does not implement."""
    if isinstance(pattern, dict):
        for key, value in pattern.items():
            check_pattern(value, f"{where}.{key}")
        return
    if not isinstance(pattern, list):
        raise ValueError(f"{where}: a filter value must be a list of allowed values")
    for allowed in pattern:
        if isinstance(allowed, dict):
            unknown = set(allowed) - SUPPORTED_OPERATORS
            if unknown or len(allowed) != 1:
                raise ValueError(f"{where}: operator {sorted(allowed)} is not simulated locally")


def _value_matches(allowed: Any, value: Any, present: bool) -> bool:
    if isinstance(allowed, dict):
        ((operator, argument),) = allowed.items()
        if operator == "exists":
            return present is bool(argument)
        if not present:
            return False
        if operator == "prefix":
            return isinstance(value, str) and value.startswith(str(argument))
        excluded = argument if isinstance(argument, list) else [argument]
        return value not in excluded
    return present and allowed == value


def matches(pattern: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Does ``record`` match the EventBridge-style ``pattern`` (the subset described above)?"""
    for key, expected in pattern.items():
        present = key in record
        value = record.get(key)
        if isinstance(expected, dict):
            if not (present and isinstance(value, dict) and matches(expected, value)):
                return False
            continue
        candidates = value if isinstance(value, list) else [value]
        if not any(_value_matches(a, v, present) for a in expected for v in candidates):
            return False
    return True


# --- Helpers --------------------------------------------------------------------------------


def _lambda_json(value: Any) -> Any:
    """What boto3 returns, as Lambda's event JSON has it (bytes as base64, times as epoch)."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dt.datetime):
        return int(value.timestamp())
    if isinstance(value, dict):
        return {k: _lambda_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lambda_json(v) for v in value]
    return value


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def _failed_ids(response: Any, valid: set[str]) -> set[str] | None:
    """The ids a ReportBatchItemFailures response names; None when the response is invalid
    (Lambda then treats the whole batch as failed)."""
    if response is None:
        return set()
    if not isinstance(response, dict):
        return set()
    failures = response.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return None
    ids: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if not identifier or identifier not in valid:
            return None
        ids.add(str(identifier))
    return ids


@dataclass
class Invocation:
    """One call of a handler by the pump (for tests and the console; no payloads)."""

    function: str
    source: str
    records: int
    failed: int
    error: str | None = None


# --- Sources --------------------------------------------------------------------------------


@dataclass
class SqsSource:
    name: str
    function: str
    queue_arn: str
    queue_url: str
    batch_size: int = 10
    report_failures: bool = True

    def poll(self, pump: EventPump) -> int:
        sqs = pump.client("sqs")
        messages = sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=max(1, min(self.batch_size, 10)),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not messages:
            return 0
        records = [self._record(m) for m in messages]
        failed: set[str]
        error: str | None = None
        try:
            response = pump.invoke(self.function, {"Records": records})
        except Exception as exc:
            pump.log_failure(self.function, self.name, exc)
            failed, error = {m["MessageId"] for m in messages}, type(exc).__name__
        else:
            ids = {m["MessageId"] for m in messages}
            reported = _failed_ids(response, ids) if self.report_failures else set()
            if reported is None:
                failed, error = ids, "InvalidBatchItemFailures"
            else:
                failed = reported
        pump.record(Invocation(self.function, self.name, len(records), len(failed), error))
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
                ],
            )
        for message in messages:
            if message["MessageId"] in failed:
                sqs.change_message_visibility(
                    QueueUrl=self.queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=0,
                )
        return len(messages)

    def _record(self, message: Mapping[str, Any]) -> dict[str, Any]:
        attributes = {
            key: value
            for key, value in message.get("Attributes", {}).items()
            if key
            in {
                "ApproximateReceiveCount",
                "SentTimestamp",
                "SenderId",
                "ApproximateFirstReceiveTimestamp",
                "SequenceNumber",
                "MessageGroupId",
                "MessageDeduplicationId",
                "AWSTraceHeader",
                "DeadLetterQueueSourceArn",
            }
        }
        message_attributes = {
            name: {
                "stringValue": value.get("StringValue"),
                "binaryValue": _lambda_json(value.get("BinaryValue")),
                "stringListValues": value.get("StringListValues", []),
                "binaryListValues": _lambda_json(value.get("BinaryListValues", [])),
                "dataType": value.get("DataType"),
            }
            for name, value in message.get("MessageAttributes", {}).items()
        }
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": attributes,
            "messageAttributes": message_attributes,
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": REGION,
        }

    def pending(self, pump: EventPump) -> int:
        attributes = pump.client("sqs").get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes.get("ApproximateNumberOfMessages", 0)) + int(
            attributes.get("ApproximateNumberOfMessagesNotVisible", 0)
        )


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

    def start(self, pump: EventPump) -> None:
        """Position every shard at the mapping's StartingPosition (LATEST: now)."""
        self._discover(pump)

    def _discover(self, pump: EventPump) -> list[str]:
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

    def poll(self, pump: EventPump) -> int:
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

    def _poll_shard(self, pump: EventPump, shard_id: str) -> int:
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
                _failed_ids(response, set(sequence_numbers)) if self.report_failures else set()
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

    def _record(self, pump: EventPump, raw: Mapping[str, Any]) -> dict[str, Any]:
        record: dict[str, Any] = _lambda_json(dict(raw))
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

    def _send_failure(self, pump: EventPump, shard_id: str, batch: list[dict[str, Any]]) -> None:
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
            "timestamp": _iso(pump.clock.now()),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
                "approximateArrivalOfFirstRecord": _iso(
                    dt.datetime.fromtimestamp(min(arrivals), dt.UTC)
                ),
                "approximateArrivalOfLastRecord": _iso(
                    dt.datetime.fromtimestamp(max(arrivals), dt.UTC)
                ),
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            },
        }
        pump.client("sqs").send_message(
            QueueUrl=self.on_failure_url, MessageBody=json.dumps(document)
        )


@dataclass
class ScheduleSource:
    name: str
    logical_id: str
    function: str
    expression: ScheduleExpression | None
    arn: str
    input: str | None = None
    retries: int = 0
    next_fire: dt.datetime | None = None

    def event(self, moment: dt.datetime) -> Any:
        if self.input:
            return json.loads(self.input)
        # Scheduler's default notification for a Lambda target without Input.
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.scheduler",
            "account": ACCOUNT,
            "time": moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [self.arn],
            "detail": {},
        }


# --- The pump -------------------------------------------------------------------------------


class EventPump:
    """Feeds the template's event sources to the handlers, in this process.

    Tests call ``drain()``; ``make dev`` calls ``start()`` (a background thread) and ``stop()``.
    """

    def __init__(
        self,
        stack: Stack,
        template: Mapping[str, Any],
        clock: SimClock | None = None,
        handlers: Mapping[str, Handler] | None = None,
    ) -> None:
        self.stack = stack
        self.clock = clock or SimClock()
        self.handlers: dict[str, Handler] = dict(handlers or {})
        self.invocations: list[Invocation] = []
        self.after_invoke: list[Callable[[], object]] = []
        # Tests read every event a handler gets (queue messages, stream records).
        self.event_taps: list[Callable[[str, Any], object]] = []
        self._clients: dict[str, Any] = {}
        self._lock = threading.RLock()
        self._ttl_deleted: set[tuple[str, str]] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sqs_sources: list[SqsSource] = []
        self.stream_sources: list[StreamSource] = []
        self.schedules: dict[str, ScheduleSource] = {}
        self._read_mappings(template)
        self._read_schedules(template)
        self._ttl_tables = self._read_ttl(template)

    # -- reading the template --

    def _function_by_arn(self, arn: str) -> str:
        for logical_id in self.stack.functions:
            physical = self.stack.physical.get(logical_id)
            if physical and arn in (physical.attributes.get("Arn"), physical.ref):
                return logical_id
        raise KeyError(f"no function with ARN or name {arn}")

    def _queue_by_arn(self, arn: str) -> str:
        for physical in self.stack.physical.values():
            if physical.attributes.get("Arn") == arn and "QueueUrl" in physical.attributes:
                return physical.attributes["QueueUrl"]
        raise KeyError(f"no queue with ARN {arn}")

    def _read_mappings(self, template: Mapping[str, Any]) -> None:
        resolve = self.stack.resolver.resolve
        for logical_id, declared in resources(template, "AWS::Lambda::EventSourceMapping").items():
            props = resolve(declared)
            if props.get("Enabled") is False:
                continue
            function = self._function_by_arn(str(props["FunctionName"]))
            source_arn = str(props["EventSourceArn"])
            report = "ReportBatchItemFailures" in (props.get("FunctionResponseTypes") or [])
            if source_arn.startswith("arn:aws:sqs:"):
                self.sqs_sources.append(
                    SqsSource(
                        name=logical_id,
                        function=function,
                        queue_arn=source_arn,
                        queue_url=self._queue_by_arn(source_arn),
                        batch_size=int(props.get("BatchSize", 10)),
                        report_failures=report,
                    )
                )
            elif ":dynamodb:" in source_arn and "/stream/" in source_arn:
                filters = [
                    json.loads(f["Pattern"])
                    for f in (props.get("FilterCriteria") or {}).get("Filters", [])
                ]
                for pattern in filters:
                    check_pattern(pattern, f"{logical_id} FilterCriteria")
                destination = (
                    (props.get("DestinationConfig") or {}).get("OnFailure", {}).get("Destination")
                )
                retries = int(props.get("MaximumRetryAttempts", -1))
                source = StreamSource(
                    name=logical_id,
                    function=function,
                    stream_arn=source_arn,
                    batch_size=int(props.get("BatchSize", 100)),
                    starting_position=str(props.get("StartingPosition", "TRIM_HORIZON")),
                    max_retries=retries if retries >= 0 else LOCAL_STREAM_RETRY_LIMIT,
                    report_failures=report,
                    filters=filters,
                    on_failure_url=self._queue_by_arn(destination) if destination else None,
                )
                source.start(self)
                self.stream_sources.append(source)
            else:
                raise ValueError(f"{logical_id}: event source {source_arn} is not simulated")

    def _read_schedules(self, template: Mapping[str, Any]) -> None:
        resolve = self.stack.resolver.resolve
        for logical_id, declared in resources(template, "AWS::Scheduler::Schedule").items():
            props = resolve(declared)
            name = str(props.get("Name") or logical_id)
            group = str(props.get("GroupName") or "default")
            text = str(props.get("ScheduleExpression") or "").strip()
            enabled = props.get("State", "ENABLED") == "ENABLED" and bool(text)
            expression = (
                ScheduleExpression(text, str(props.get("ScheduleExpressionTimezone") or "UTC"))
                if enabled
                else None
            )
            target = props["Target"]
            source = ScheduleSource(
                name=name,
                logical_id=logical_id,
                function=self._function_by_arn(str(target["Arn"])),
                expression=expression,
                arn=f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/{group}/{name}",
                input=target.get("Input"),
                retries=int((target.get("RetryPolicy") or {}).get("MaximumRetryAttempts", 0)),
            )
            self.schedules[logical_id] = source
        self.reschedule()

    def reschedule(self) -> None:
        """Every schedule's next moment, counted from the clock's now (after a reset)."""
        now = self.clock.now()
        with self._lock:
            for source in self.schedules.values():
                expression = source.expression
                source.next_fire = expression.next_after(now) if expression else None

    def _read_ttl(self, template: Mapping[str, Any]) -> list[tuple[str, str, list[str]]]:
        tables = []
        for logical_id, props in resources(template, "AWS::DynamoDB::Table").items():
            ttl = props.get("TimeToLiveSpecification") or {}
            if ttl.get("Enabled") and logical_id in self.stack.physical:
                keys = [k["AttributeName"] for k in props["KeySchema"]]
                tables.append((self.stack.physical[logical_id].ref, ttl["AttributeName"], keys))
        return tables

    # -- invoking --

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = client(service, self.stack.endpoint)
        return self._clients[service]

    def function_arn(self, function: str) -> str:
        physical = self.stack.physical.get(function)
        if physical:
            return physical.attributes.get("Arn", physical.ref)
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function}"

    def handler(self, function: str) -> Handler:
        if function not in self.handlers:
            module_name, _, attribute = self.stack.handler(function).rpartition(".")
            module = importlib.import_module(module_name)
            self.handlers[function] = getattr(module, attribute)
        return self.handlers[function]

    @contextmanager
    def override(self, function: str, handler: Handler) -> Iterator[None]:
        """Tests: run ``handler`` for ``function`` inside the block."""
        with self._lock:
            previous = self.handlers.get(function)
            self.handlers[function] = handler
        try:
            yield
        finally:
            with self._lock:
                if previous is None:
                    self.handlers.pop(function, None)
                else:
                    self.handlers[function] = previous

    def invoke(self, function: str, event: Any) -> Any:
        physical = self.stack.physical.get(function)
        context = LambdaContext(
            function_name=physical.ref if physical else function,
            aws_request_id=str(uuid.uuid4()),
            deadline=time.monotonic() + 10,
        )
        for tap in self.event_taps:
            tap(function, event)
        try:
            return self.handler(function)(event, context)
        finally:
            for hook in self.after_invoke:
                hook()

    def record(self, invocation: Invocation) -> None:
        self.invocations.append(invocation)

    @staticmethod
    def log_failure(function: str, source: str, exc: BaseException) -> None:
        # The exception type and where it was raised: never its message (it may quote data).
        frame = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        place = f" at {frame[0].filename.rsplit('/', 1)[-1]}:{frame[0].lineno}" if frame else ""
        print(f"  {function} ({source}) failed: {type(exc).__name__}{place}")

    # -- queues and streams --

    def add_sqs_source(
        self,
        queue_url: str,
        function: str,
        handler: Handler,
        *,
        batch_size: int = 10,
        report_failures: bool = True,
    ) -> SqsSource:
        """Tests: a mapping that is not in the template (the template stays untouched)."""
        arn = self.client("sqs").get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        source = SqsSource(
            f"test-{function}", function, arn, queue_url, batch_size, report_failures
        )
        with self._lock:
            self.handlers[function] = handler
            self.sqs_sources.append(source)
        return source

    def poll_once(self) -> int:
        """One round over every queue and stream: the number of messages and records seen."""
        with self._lock:
            seen = sum(source.poll(self) for source in self.sqs_sources)
            return seen + sum(source.poll(self) for source in self.stream_sources)

    def settle(self, rounds: int = 20) -> int:
        """Poll until a round finds nothing (at most ``rounds``), without waiting for
        quiet: what a handler just sent is handled at once. Returns what was seen."""
        total = 0
        for _ in range(rounds):
            seen = self.poll_once()
            total += seen
            if not seen:
                break
        return total

    def pending(self) -> int:
        """Messages waiting or in flight on the mapped queues."""
        with self._lock:
            return sum(source.pending(self) for source in self.sqs_sources)

    def drain(self, timeout: float = 10.0, quiet: float = 0.3) -> int:
        """Process queues and streams until nothing has happened for ``quiet`` seconds (state
        machines run in moto's threads and may still send messages); at most ``timeout``
        seconds, then ``TimeoutError``. Returns the number of messages and records seen."""
        deadline = time.monotonic() + timeout
        total = 0
        idle_since: float | None = None
        while time.monotonic() < deadline:
            seen = self.poll_once()
            total += seen
            if seen or self.pending():
                idle_since = None
                continue
            now = time.monotonic()
            if idle_since is None:
                idle_since = now
            elif now - idle_since >= quiet:
                return total
            time.sleep(0.05)
        raise TimeoutError(f"event sources still busy after {timeout} s")

    # -- schedules --

    def next_due(self, until: dt.datetime) -> dt.datetime | None:
        moments = [s.next_fire for s in self.schedules.values() if s.next_fire is not None]
        due = min(moments, default=None)
        return due if due is not None and due <= until else None

    def fire_due(self, now: dt.datetime) -> int:
        """Fire every schedule whose moment is at or before ``now``; each once per moment."""
        fired = 0
        with self._lock:
            for source in self.schedules.values():
                if source.next_fire is not None and source.next_fire <= now:
                    moment = source.next_fire
                    source.next_fire = (
                        source.expression.next_after(moment) if source.expression else None
                    )
                    fired += 1
                    with suppress(Exception):  # logged by _fire; the clock moves on
                        self._fire(source, moment)
        return fired

    def fire(self, logical_id: str) -> Any:
        """Fire a schedule now, on demand (its regular moments are not affected)."""
        with self._lock:
            return self._fire(self.schedules[logical_id], self.clock.now())

    def _fire(self, source: ScheduleSource, moment: dt.datetime) -> Any:
        """Invoke the target, retrying at once up to the schedule's MaximumRetryAttempts."""
        for attempt in range(source.retries + 1):
            try:
                result = self.invoke(source.function, source.event(moment))
            except Exception as exc:
                error = type(exc).__name__
                self.record(Invocation(source.function, source.name, 1, 1, error))
                if attempt == source.retries:
                    self.log_failure(source.function, source.name, exc)
                    raise
            else:
                self.record(Invocation(source.function, source.name, 1, 0))
                return result
        return None

    # -- TTL --

    def was_ttl_deletion(self, table: str, keys: Mapping[str, Any]) -> bool:
        marker = (table, json.dumps(keys, sort_keys=True))
        with self._lock:
            if marker in self._ttl_deleted:
                self._ttl_deleted.discard(marker)
                return True
        return False

    def sweep_ttl(self) -> int:
        """Delete the items whose TTL is before the simulated now; returns how many."""
        dynamodb = self.client("dynamodb")
        now = str(int(self.clock.now().timestamp()))
        deleted = 0
        with self._lock:
            for table, attribute, key_names in self._ttl_tables:
                names = {"#ttl": attribute} | {f"#k{i}": k for i, k in enumerate(key_names)}
                scan: dict[str, Any] = {
                    "TableName": table,
                    "FilterExpression": "#ttl < :now",
                    "ProjectionExpression": ", ".join(f"#k{i}" for i in range(len(key_names))),
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": {":now": {"N": now}},
                }
                for _ in range(10_000):  # pages; bounded
                    page = dynamodb.scan(**scan)
                    for key in page.get("Items", []):
                        self._ttl_deleted.add((table, json.dumps(key, sort_keys=True)))
                        try:
                            dynamodb.delete_item(
                                TableName=table,
                                Key=key,
                                ConditionExpression="#ttl < :now",
                                ExpressionAttributeNames={"#ttl": attribute},
                                ExpressionAttributeValues={":now": {"N": now}},
                            )
                            deleted += 1
                        except dynamodb.exceptions.ConditionalCheckFailedException:
                            self._ttl_deleted.discard((table, json.dumps(key, sort_keys=True)))
                    if "LastEvaluatedKey" not in page:
                        break
                    scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return deleted

    # -- background --

    def start(self, interval: float = 0.5) -> EventPump:
        """Poll in a background thread until ``stop()`` (``make dev``)."""
        if self._thread and self._thread.is_alive():
            return self
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="event-pump", daemon=True
        )
        self._thread.start()
        return self

    def _run(self, interval: float) -> None:
        last_sweep = 0.0
        while not self._stop.is_set():
            try:
                busy = self.poll_once()
                self.fire_due(self.clock.now())
                if time.monotonic() - last_sweep > 60:
                    self.sweep_ttl()
                    last_sweep = time.monotonic()
            except Exception as exc:  # keep pumping; say what broke
                print(f"  event pump: {type(exc).__name__}")
                busy = 0
            if not busy:
                self._stop.wait(interval)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)
            self._thread = None
