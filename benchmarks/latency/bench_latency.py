"""Request latency of a valid registration through the local stack, beside a bare DynamoDB
put on the same emulator.

Starts the local stack (moto server, resources from ``infra/template.yaml``, the real intake
handler behind the local gateway; loopback only), then, one after the other and interleaved
so that noise from the machine falls on both alike:

- ``POST /api/registrations`` with a valid, unique registration (its own submission id),
  over HTTP, timed from the client: validation, two envelope encryptions (KMS), idempotency
  record, the transactional write of registration and reference;
- a bare ``PutItem`` of an item of the same size into the registrations table, through the
  same boto3 client the handlers use (its sort key keeps it out of the stream's filter).

A warm-up of each is not counted. It prints p50/p95/p99/mean/max of both and their ratio, the
AWS calls per registration (counted and timed in botocore) and, for the warm-up registrations
(whose event sources are drained before the measurement), the handler invocations and AWS calls
per registration up to the triage entry and the receipt.

The p50 of the first and the last quarter of the requests shows whether the local latency
grows with the number of stored items. It did while moto copied the whole table for every
``TransactWriteItems`` (``devstack.transactions`` now copies only the items a transaction
names); DynamoDB's latency does not depend on the size of the table.

Usage (PYTHONPATH=functions:., as ``make bench`` sets it):
  .venv/bin/python benchmarks/latency/bench_latency.py [--requests 200] [--warmup 10]
"""

from __future__ import annotations

import argparse
import functools
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests
from botocore.client import BaseClient

from benchmarks.common import (
    RECEIPT_SUBJECT,
    console_for_report,
    local_system,
    machine,
    registration,
    summary_ms,
    table,
)

if TYPE_CHECKING:
    from devstack.stack import LocalSystem

# Every botocore client's API calls go through this method (not in botocore's stubs).
PATCHED = "_make_api_call"


class AwsCalls:
    """Counts and times every botocore API call made while ``recording`` (the handlers' own
    clients and the Encryption SDK's KMS client alike), by service and operation."""

    def __init__(self) -> None:
        self.recording = False
        self.count: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self._lock = threading.Lock()

    @contextmanager
    def installed(self) -> Iterator[None]:
        original: Callable[..., Any] = getattr(BaseClient, PATCHED)
        calls = self

        def timed(client: BaseClient, operation: str, params: Any) -> Any:
            if not calls.recording:
                return original(client, operation, params)
            started = time.perf_counter()
            try:
                return original(client, operation, params)
            finally:
                name = f"{client.meta.service_model.service_name}:{operation}"
                with calls._lock:
                    calls.count[name] += 1
                    calls.seconds[name] += time.perf_counter() - started

        setattr(BaseClient, PATCHED, timed)
        try:
            yield
        finally:
            setattr(BaseClient, PATCHED, original)


def post(session: requests.Session, url: str, body: dict[str, Any]) -> tuple[float, str]:
    started = time.perf_counter()
    response = session.post(f"{url}/api/registrations", json=body, timeout=30)
    elapsed = time.perf_counter() - started
    if response.status_code != 202:
        raise RuntimeError(f"registration answered {response.status_code}, not 202")
    return elapsed, str(response.json()["reference"])


def stored_item(dynamodb: Any, table_name: str, reference: str) -> dict[str, Any]:
    """One stored registration item (to put copies of the same size)."""
    claim = dynamodb.get_item(
        TableName=table_name, Key={"pk": {"S": f"REF#{reference}"}, "sk": {"S": "REFERENCE"}}
    )["Item"]
    key = {"pk": {"S": f"REG#{claim['registration_id']['S']}"}, "sk": {"S": "REGISTRATION"}}
    item: dict[str, Any] = dynamodb.get_item(TableName=table_name, Key=key)["Item"]
    return item


def value_bytes(value: dict[str, Any]) -> int:
    """DynamoDB's size of one attribute value (approximately, as its documentation counts:
    strings and binaries by length, numbers ~1 byte per 2 digits, 3 bytes per list or map)."""
    kind, inner = next(iter(value.items()))
    if kind in ("S", "B"):
        return len(inner.encode() if isinstance(inner, str) else inner)
    if kind == "N":
        return len(inner) // 2 + 1
    if kind in ("SS", "NS", "BS"):
        return sum(len(str(v)) for v in inner)
    if kind == "L":
        return 3 + sum(1 + value_bytes(v) for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + value_bytes(v) for k, v in inner.items())
    return 1  # BOOL, NULL


def item_bytes(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + value_bytes(value) for name, value in item.items())


def call_rows(calls: AwsCalls, per: int, timed: bool) -> list[tuple[Any, ...]]:
    ordered = sorted(calls.count, key=lambda name: (-calls.seconds[name], name))
    return [
        (name, f"{calls.count[name] / per:.2f}", *([1000 * calls.seconds[name] / per] * timed))
        for name in ordered
    ]


@dataclass
class FollowUp:
    """What the warm-up registrations set going until they wait for the response term."""

    registrations: int = 0
    batches: Counter[str] = field(default_factory=Counter)
    records: Counter[str] = field(default_factory=Counter)
    calls: AwsCalls = field(default_factory=AwsCalls)
    receipts: int = 0


@dataclass
class Measured:
    api: list[float] = field(default_factory=list)  # each POST, seconds
    put: list[float] = field(default_factory=list)  # each bare PutItem
    item: dict[str, Any] = field(default_factory=dict)  # a stored registration item
    follow_up: FollowUp = field(default_factory=FollowUp)


def follow_up(system: LocalSystem, calls: AwsCalls, registrations: int) -> FollowUp:
    """Drain the event sources: workflow start, triage entry and receipt of the registrations
    so far (handlers and the workflow's service integrations), counted per registration."""
    result = FollowUp(registrations=registrations)
    calls.recording = True
    system.pump.drain(timeout=300, quiet=1.0)
    calls.recording = False
    for invocation in system.pump.invocations:
        result.batches[invocation.function] += 1
        result.records[invocation.function] += invocation.records
    result.calls.count, result.calls.seconds = calls.count.copy(), calls.seconds.copy()
    calls.count.clear()
    calls.seconds.clear()
    result.receipts = sum(m.subject.startswith(RECEIPT_SUBJECT) for m in system.outbox())
    return result


def measure(system: LocalSystem, calls: AwsCalls, requests_count: int, warmup: int) -> Measured:
    """Warm-up (and its follow-up, drained), then registrations over HTTP and bare puts,
    interleaved. The measured registrations' follow-up is not run: it would only repeat the
    warm-up's, and take minutes on the emulator."""
    from vhcore.dal.aws import client

    dynamodb = client("dynamodb")
    table_name = system.stack.physical["RegistrationsTable"].ref
    result = Measured()
    with requests.Session() as session:
        references = [post(session, system.url, registration(i))[1] for i in range(warmup)]
        template = result.item = stored_item(dynamodb, table_name, references[0])
        result.follow_up = follow_up(system, calls, warmup)

        def bare_put(index: int) -> float:
            # Sort key BENCH: outside the stream filter, so no workflow starts for it.
            item = template | {"pk": {"S": f"BENCH#{index}"}, "sk": {"S": "BENCH"}}
            started = time.perf_counter()
            dynamodb.put_item(TableName=table_name, Item=item)
            elapsed = time.perf_counter() - started
            # Not timed: the table stays as large as the registrations alone make it.
            dynamodb.delete_item(TableName=table_name, Key={"pk": item["pk"], "sk": item["sk"]})
            return elapsed

        for index in range(warmup):
            bare_put(-index - 1)
        for index in range(requests_count):
            calls.recording = True
            elapsed = post(session, system.url, registration(warmup + index))[0]
            calls.recording = False
            result.api.append(elapsed)
            result.put.append(bare_put(index))
    return result


def report(say: Callable[..., None], measured: Measured, calls: AwsCalls) -> None:
    api, count = measured.api, len(measured.api)
    a, b = summary_ms(api), summary_ms(measured.put)
    stats = ("p50", "p95", "p99", "mean", "max")
    say(
        table(
            ("", *stats),
            [
                ("POST /api/registrations (HTTP, gateway, handler)", *(a[s] for s in stats)),
                ("bare DynamoDB PutItem (boto3 on moto)", *(b[s] for s in stats)),
                ("ratio", *(f"{a[s] / b[s]:.1f}x" for s in stats)),
            ],
        )
    )
    quarter = max(1, count // 4)
    first, last = summary_ms(api[:quarter]), summary_ms(api[-quarter:])
    say(
        f"\nPOST p50 of the first / last {quarter} requests: {first['p50']:.1f} / "
        f"{last['p50']:.1f} ms (DynamoDB's latency does not grow with the table; a local "
        "figure that grows is the emulator's)"
    )
    rows = call_rows(calls, count, timed=True)
    aws_ms = 1000 * sum(calls.seconds.values()) / count
    rows.append(("all AWS calls", "", aws_ms))
    rows.append(("the rest (HTTP, gateway, validation, encryption)", "", a["mean"] - aws_ms))
    say("\nWhere a registration's time goes (mean per request)\n")
    say(table(("AWS call (service:operation)", "calls", "ms"), rows))
    say(f"\nregistration item: ~{item_bytes(measured.item)} bytes (as DynamoDB counts)")

    follow = measured.follow_up
    total = follow.registrations
    say(f"\nThe follow-up until the response term, per registration (the {total} warm-up ones)\n")
    say(
        table(
            ("function", "batches", "records per registration"),
            [
                (n, follow.batches[n], f"{follow.records[n] / total:.2f}")
                for n in sorted(follow.batches)
            ],
        )
    )
    say("")
    say(
        table(
            ("AWS call (service:operation)", "calls per registration"),
            call_rows(follow.calls, total, timed=False),
        )
    )
    say(
        "\n(sqs:ReceiveMessage, sqs:GetQueueAttributes and dynamodbstreams:* are the local event "
        "pump's polling; in AWS, Lambda's pollers do it.)"
    )
    say(f"receipts sent: {follow.receipts} of {total}")


def run(requests_count: int, warmup: int, house: str) -> int:
    calls = AwsCalls()
    with console_for_report() as out, local_system(house) as system, calls.installed():
        say = functools.partial(print, file=out)
        say(f"Latency benchmark, {machine()}")
        started = time.perf_counter()
        measured = measure(system, calls, requests_count, warmup)
        say(
            f"\nLatency, {requests_count} requests each (after {warmup} warm-up), ms "
            f"({time.perf_counter() - started:.0f} s in all)\n"
        )
        report(say, measured, calls)
    return 0 if measured.follow_up.receipts == warmup else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=200, help="measured requests (200)")
    parser.add_argument("--warmup", type=int, default=10, help="uncounted requests first (10)")
    parser.add_argument("--house", default="voorbeeldregio")
    args = parser.parse_args()
    if not 1 <= args.requests <= 5000 or not 1 <= args.warmup <= 100:
        parser.error("--requests must be 1..5000 and --warmup 1..100")
    return run(args.requests, args.warmup, args.house)


if __name__ == "__main__":
    sys.exit(main())
