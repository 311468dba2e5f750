"""What every event source shares: the handler and pump interfaces, the record of an
invocation, and the JSON shapes Lambda's pollers give their events."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from devstack.clock import SimClock

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class Invocation:
    """One call of a handler by the pump (for tests and the console; no payloads)."""

    function: str
    source: str
    records: int
    failed: int
    error: str | None = None


class Pump(Protocol):
    """What a source needs of the pump that runs it (``devstack.events.pump.EventPump``)."""

    clock: SimClock

    def client(self, service: str) -> Any: ...

    def invoke(self, function: str, event: Any) -> Any: ...

    def record(self, invocation: Invocation) -> None: ...

    def log_failure(self, function: str, source: str, exc: BaseException) -> None: ...

    def function_arn(self, function: str) -> str: ...

    def was_ttl_deletion(self, table: str, keys: Mapping[str, Any]) -> bool: ...


def lambda_json(value: Any) -> Any:
    """What boto3 returns, as Lambda's event JSON has it (bytes as base64, times as epoch)."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dt.datetime):
        return int(value.timestamp())
    if isinstance(value, dict):
        return {k: lambda_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lambda_json(v) for v in value]
    return value


def iso(moment: dt.datetime) -> str:
    """A UTC timestamp with milliseconds, as Lambda writes them in failure records."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def failed_ids(response: Any, valid: set[str]) -> set[str] | None:
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
