"""A bounded load run on loopback: partners submitting registrations and staff reading the
triage queue at the same time, for a fixed time, against the local stack.

Starts the local stack (as the tests do, on free loopback ports) with its event pump running
in the background (workflow starts, triage entries and receipts happen during the run, as in
AWS), signs the dev staff users in through the local hosted login (real ID tokens), then runs
``--partners`` threads that each submit a new registration (own submission id) and
``--staff`` threads that each read ``GET /api/admin/queue``, every user waiting a random think
time between requests (fixed seed). The users run in a process of their own, so that they do
not compete with the stack for its interpreter lock; one request of each kind warms the
handlers up first. It stops after ``--seconds`` or ``--max-requests``, whichever comes first,
then lets the event sources drain and checks that nothing was lost: every accepted
registration has exactly one stored item and exactly one receipt.

Prints requests, errors (any answer other than 202 or 200, or an exception), throughput and
p50/p95/p99 per kind. Exit status 1 on any error or lost registration.

Usage (PYTHONPATH=functions:., as ``make load`` sets it):
  .venv/bin/python benchmarks/load/bench_load.py [--seconds 60] [--partners 20] [--staff 5]
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

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

SUBMIT = "POST /api/registrations"
READ_QUEUE = "GET /api/admin/queue"


@dataclass
class Run:
    """What every simulated user records; shared between threads."""

    deadline: float
    max_requests: int
    seed: int
    think: tuple[float, float]
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: int = 0
    timings: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    answers: Counter[str] = field(default_factory=Counter)
    references: list[str] = field(default_factory=list)

    def claim(self) -> int | None:
        """The next request's number, or None when the time or the request cap is up."""
        with self.lock:
            if time.monotonic() >= self.deadline or self.started >= self.max_requests:
                return None
            self.started += 1
            return self.started

    def record(self, kind: str, seconds: float, status: int | str, reference: str = "") -> None:
        expected = 202 if kind == SUBMIT else 200
        with self.lock:
            self.timings.setdefault(kind, []).append(seconds)
            self.answers[f"{kind} -> {status}"] += 1
            if status != expected:
                self.errors[kind] += 1
            if reference:
                self.references.append(reference)


@dataclass
class Outcome:
    """What the users' process hands back (picklable: no lock)."""

    timings: dict[str, list[float]]
    errors: Counter[str]
    answers: Counter[str]
    references: list[str]
    elapsed: float


def user(run: Run, number: int, act: Callable[[requests.Session, int], None]) -> None:
    """One simulated person: a random pause (think time), a request, until the run ends."""
    rng = random.Random(run.seed * 1000 + number)  # noqa: S311 - think times, not secrets
    with requests.Session() as session:
        # Spread the first requests over the first think time, as people do not start at once.
        time.sleep(rng.uniform(0, run.think[1]))
        while (ticket := run.claim()) is not None:
            act(session, ticket)
            pause = rng.uniform(*run.think)
            remaining = run.deadline - time.monotonic()
            if remaining <= 0:
                break
            time.sleep(min(pause, remaining))


def submit(run: Run, url: str, session: requests.Session, ticket: int) -> None:
    started = time.perf_counter()
    try:
        response = session.post(f"{url}/api/registrations", json=registration(ticket), timeout=30)
        status: int | str = response.status_code
        reference = str(response.json().get("reference", "")) if status == 202 else ""
    except (requests.RequestException, ValueError) as exc:
        status, reference = type(exc).__name__, ""
    run.record(SUBMIT, time.perf_counter() - started, status, reference)


def read_queue(run: Run, url: str, token: str, session: requests.Session, ticket: int) -> None:
    started = time.perf_counter()
    try:
        response = session.get(
            f"{url}/api/admin/queue", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        status: int | str = response.status_code
        if status == 200 and not isinstance(response.json(), list):
            status = "not a list"
    except (requests.RequestException, ValueError) as exc:
        status = type(exc).__name__
    run.record(READ_QUEUE, time.perf_counter() - started, status)


def staff_tokens(system: LocalSystem) -> list[str]:
    """An ID token per dev staff user, through the local hosted login (as the tests do)."""
    from devstack.loginpage import code_flow_tokens

    client_id = system.stack.physical["StaffClient"].ref
    return [
        str(code_flow_tokens(system.url, client_id, username, password)["id_token"])
        for username, password in system.staff_users.values()
    ]


def stored_registrations(system: LocalSystem) -> Counter[str]:
    """reference -> number of registration items in the table."""
    from vhcore.dal.aws import client

    dynamodb = client("dynamodb")
    found: Counter[str] = Counter()
    scan: dict[str, Any] = {
        "TableName": system.stack.physical["RegistrationsTable"].ref,
        "ConsistentRead": True,
        "FilterExpression": "sk = :sk",
        "ExpressionAttributeValues": {":sk": {"S": "REGISTRATION"}},
        "ExpressionAttributeNames": {"#reference": "reference"},
        "ProjectionExpression": "#reference",
    }
    for _ in range(100_000):  # pages; bounded
        page = dynamodb.scan(**scan)
        found.update(item["reference"]["S"] for item in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            break
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return found


def run_users(url: str, tokens: list[str], args: argparse.Namespace) -> Outcome:
    """All simulated users, as threads of one process of their own (so that the clients do
    not compete with the stack for its interpreter lock)."""
    run = Run(
        deadline=time.monotonic() + args.seconds,
        max_requests=args.max_requests,
        seed=args.seed,
        think=(args.think_min, args.think_max),
    )
    threads = [
        threading.Thread(
            target=user, args=(run, n, functools.partial(submit, run, url)), name=f"partner-{n}"
        )
        for n in range(args.partners)
    ]
    threads += [
        threading.Thread(
            target=user,
            args=(run, 100 + n, functools.partial(read_queue, run, url, tokens[n % len(tokens)])),
            name=f"staff-{n}",
        )
        for n in range(args.staff)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(args.seconds + 60)
    elapsed = time.perf_counter() - started
    with run.lock:
        return Outcome(run.timings, run.errors, run.answers, run.references, elapsed)


def warm_up(url: str, token: str) -> None:
    """One request of each kind first, not counted: the handlers' imports (a cold start)
    would otherwise sit in front of the first requests of the run."""
    body = registration(100_000)
    answer = requests.post(f"{url}/api/registrations", json=body, timeout=60)
    queue = requests.get(
        f"{url}/api/admin/queue", headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    if answer.status_code != 202 or queue.status_code != 200:
        raise RuntimeError(f"warm-up answered {answer.status_code} and {queue.status_code}")


def load(system: LocalSystem, args: argparse.Namespace) -> Outcome:
    tokens = staff_tokens(system)
    warm_up(system.url, tokens[0])
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as users:
        return users.submit(run_users, system.url, tokens, args).result(args.seconds + 120)


def report(say: Callable[..., None], run: Outcome, args: argparse.Namespace) -> None:
    elapsed = run.elapsed
    stats = ("p50", "p95", "p99", "max")

    def row(label: str, values: list[float], errors: int) -> tuple[Any, ...]:
        summary = summary_ms(values)
        return (label, len(values), errors, len(values) / elapsed, *(summary[s] for s in stats))

    rows = [row(kind, run.timings.get(kind, []), run.errors[kind]) for kind in (SUBMIT, READ_QUEUE)]
    everything = [v for values in run.timings.values() for v in values]
    rows.append(row("all", everything, sum(run.errors.values())))
    say(
        f"\nLoad: {args.partners} partners submitting and {args.staff} staff reading the queue, "
        f"think time {args.think_min:g}-{args.think_max:g} s, {elapsed:.1f} s "
        f"(cap {args.seconds} s / {args.max_requests} requests), seed {args.seed}\n"
    )
    say(table(("requests", "n", "errors", "req/s", *(f"{s} ms" for s in stats)), rows))
    say("\nanswers: " + ", ".join(f"{k}: {v}" for k, v in sorted(run.answers.items())))


def run_load(args: argparse.Namespace) -> int:
    with console_for_report() as out, local_system(args.house) as system:
        say = functools.partial(print, file=out)
        say(f"Load benchmark, {machine()}")
        system.pump.start()
        run = load(system, args)
        report(say, run, args)

        # Let the workflow starts, triage entries and receipts finish, then count.
        system.pump.stop()
        drained = time.perf_counter()
        system.pump.drain(timeout=600, quiet=1.0)
        stored = stored_registrations(system)
        receipts = Counter(
            m.subject.removeprefix(RECEIPT_SUBJECT)
            for m in system.outbox()
            if m.subject.startswith(RECEIPT_SUBJECT)
        )
        accepted = Counter(run.references)
        lost = [r for r in accepted if stored[r] != 1 or receipts[r] != 1 or accepted[r] != 1]
        say(
            f"\nafter draining the event sources ({time.perf_counter() - drained:.1f} s): "
            f"{len(accepted)} registrations accepted, {sum(stored[r] for r in accepted)} stored, "
            f"{sum(receipts[r] for r in accepted)} receipts sent; "
            f"lost or duplicated: {len(lost)}"
        )
        failed = sum(run.errors.values()) + len(lost)
        say("result: " + ("OK, 0 errors, 0 lost" if not failed else f"FAILED ({failed})"))
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Bounded load run on the local stack.")
    parser.add_argument("--seconds", type=float, default=60.0, help="duration (60)")
    parser.add_argument("--partners", type=int, default=20, help="submitting partners (20)")
    parser.add_argument("--staff", type=int, default=5, help="staff reading the queue (5)")
    parser.add_argument("--max-requests", type=int, default=5000, help="hard cap (5000)")
    parser.add_argument("--think-min", type=float, default=1.0, help="seconds (1)")
    parser.add_argument("--think-max", type=float, default=3.0, help="seconds (3)")
    parser.add_argument("--seed", type=int, default=8, help="for the think times (8)")
    parser.add_argument("--house", default="voorbeeldregio")
    args = parser.parse_args()
    if not 0 < args.seconds <= 600 or not 1 <= args.max_requests <= 20_000:
        parser.error("--seconds must be in (0, 600] and --max-requests in [1, 20000]")
    if not 0 <= args.partners <= 200 or not 0 <= args.staff <= 50:
        parser.error("at most 200 partners and 50 staff")
    if not 0 <= args.think_min <= args.think_max <= 60:
        parser.error("think times: 0 <= min <= max <= 60")
    return run_load(args)


if __name__ == "__main__":
    raise SystemExit(main())
