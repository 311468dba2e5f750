"""The pump: reads the template's event-source mappings and schedules, and feeds each source's
events to the handlers, in this process (``devstack.events`` says what each source does)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

from devstack.clock import SimClock
from devstack.events.core import Handler, Invocation
from devstack.events.filters import check_pattern
from devstack.events.schedules import ScheduleSource, read_schedules
from devstack.events.sqs import SqsSource
from devstack.events.streams import LOCAL_STREAM_RETRY_LIMIT, StreamSource
from devstack.events.ttl import TtlReaper
from devstack.gateway import LambdaContext
from devstack.iam import running_as
from devstack.provision import Stack, client
from vhtools.template import ACCOUNT, REGION, resources


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
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sqs_sources: list[SqsSource] = []
        self.stream_sources: list[StreamSource] = []
        self.schedules: dict[str, ScheduleSource] = {}
        self._read_mappings(template)
        self.schedules = read_schedules(template, stack.resolver.resolve, self._function_by_arn)
        self.reschedule()
        self.ttl = TtlReaper(template, {k: v.ref for k, v in stack.physical.items()})

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

    def reschedule(self) -> None:
        """Every schedule's next moment, counted from the clock's now (after a reset)."""
        now = self.clock.now()
        with self._lock:
            for source in self.schedules.values():
                expression = source.expression
                source.next_fire = expression.next_after(now) if expression else None

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
            with running_as(function):
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
                    with suppress(Exception):  # logged by fire; the clock moves on
                        source.fire(self, moment)
        return fired

    def fire(self, logical_id: str) -> Any:
        """Fire a schedule now, on demand (its regular moments are not affected)."""
        with self._lock:
            return self.schedules[logical_id].fire(self, self.clock.now())

    # -- TTL --

    def was_ttl_deletion(self, table: str, keys: Mapping[str, Any]) -> bool:
        return self.ttl.was_ttl_deletion(table, keys)

    def sweep_ttl(self) -> int:
        """Delete the items whose TTL is before the simulated now; returns how many."""
        with self._lock:
            return self.ttl.sweep(self.client("dynamodb"), self.clock.now())

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
