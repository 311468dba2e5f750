"""Cold start of every Lambda handler, beside ``import boto3`` in the same run.

A house registers a few cases a week, so nearly every request starts a cold Lambda. For each
handler of ``infra/template.yaml`` (``Handler:``) this starts a fresh interpreter per run
(``coldstart_child.py``), with the function's own environment from the template (the local
stack provisions it on a moto server on loopback; nothing contacts AWS), and measures inside
the child with ``time.perf_counter()``:

- **import**: the handler's module, as an ``import`` statement does (interpreter start-up left
  out, as for the baseline, ``import boto3``);
- **first request**: import plus the first call of the handler with a valid event against
  the emulator (a new registration, a stream record of one, its queue messages, the weekly
  schedule, a staff read of a case). Lazy imports move cost from the import to here, so this
  is the honest figure of what a cold request costs;
- **raw baseline** of each first request (``baselines.py``): the same AWS calls and the same
  cryptography with boto3 and ``cryptography`` alone, in a fresh interpreter, on a case of its
  own. A pass that is not timed records the AWS calls of both (a hook on botocore's client),
  and the table says whether they are the same.

Rounds are interleaved (every target once per round) so that noise from a busy machine falls
on all alike; the first round is a warm-up and not counted. The ratios are given for the wall
time and for the child's CPU time (which other work on the machine inflates less).

Bytecode: a deployed function cannot write ``.pyc`` files (its code folder is read-only), so
it runs what ``make build`` compiled. By default the children use compiled bytecode (kept in
``.cache/coldstart-pyc``, written by the warm-up round); ``--no-bytecode`` compiles every
module from source at each start, as a function built without compiled bytecode does.

A second pass with ``python -X importtime`` reports what each heavy import costs, and what
intake's first request imports on top of its import.

Usage (PYTHONPATH=functions:., as ``make bench`` sets it):
  .venv/bin/python benchmarks/coldstart/bench_coldstart.py [--house NAME] [--runs 7]
      [--importtime-runs 3] [--top 10] [--no-first-request] [--no-bytecode]
      [--functions DIR] [--json FILE] [--check]
``--functions`` measures another copy of ``functions/`` (before/after comparisons).
Targets: every handler's import <= 1.3 x ``import boto3``, and every handler's import plus
first request <= 1.3 x its raw baseline. Exit status 1 only with ``--check`` and a missed
target, or when a first request did not succeed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests

from benchmarks.common import console_for_report, local_system, machine, registration, table
from deploy.bundle import bundle
from devstack.gateway import build_event
from devstack.stack import LocalSystem
from vhtools.template import REGION, REPO

HERE = Path(__file__).resolve().parent
CHILD = HERE / "coldstart_child.py"
PYC_CACHE = REPO / ".cache" / "coldstart-pyc"
BASELINE = "import boto3"
TARGETED = "intake.intake_handler.handler"  # its imports are shown in detail
TARGET_RATIO = 1.3  # every handler's import x boto3, and import + first request x its baseline
# Each handler's first request and the function of baselines.py that does the same AWS calls
# and cryptography with boto3 alone.
BASELINE_OF = {
    "intake.intake_handler.handler": "intake",
    "admin.admin_handler.handler": "admin_read",
    "triage.workflow_start_handler.handler": "workflow_start",
    "triage.triage_handler.handler": "triage_enqueue",
    "triage.agenda_handler.handler": "agenda",
    "notify.notify_handler.handler": "notify_receipt",
}
CHILD_TIMEOUT = 120
# A first request "succeeded" when it answered one of these.
SUCCESS = {"200", "202", "0 failed", "dict"}
IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)$")


@dataclass
class Target:
    """One thing to cold-start: a handler (module + attribute) or the baseline."""

    label: str
    module: str
    attribute: str = ""
    function: str = ""  # the template's logical id
    env: dict[str, str] = field(default_factory=dict, repr=False)
    import_ms: list[float] = field(default_factory=list)
    first_ms: list[float] = field(default_factory=list)
    import_cpu_ms: list[float] = field(default_factory=list)
    first_cpu_ms: list[float] = field(default_factory=list)
    outcomes: list[str] = field(default_factory=list)
    baseline_of: str = ""  # for a raw baseline: the handler's label
    calls: list[str] = field(default_factory=list)  # AWS calls of the first request
    # module -> (self ms, cumulative ms, depth) per -X importtime run
    importtime: list[dict[str, tuple[float, float, int]]] = field(default_factory=list)
    # module -> cumulative ms of the imports its first request made, per run (intake only)
    first_imports: list[dict[str, float]] = field(default_factory=list)


def run_child(
    target: Target, event: Any, with_importtime: bool = False, with_calls: bool = False
) -> tuple[dict[str, Any], str]:
    """One fresh interpreter: its report and (with ``-X importtime``) its stderr."""
    with tempfile.TemporaryDirectory(prefix="vh-cold-") as tmp:
        event_file = "-"
        if event is not None:
            event_file = str(Path(tmp) / "event.json")
            Path(event_file).write_text(json.dumps(event), "utf-8")
        output = Path(tmp) / "report.json"
        command = [sys.executable]
        if with_importtime:
            command += ["-X", "importtime"]
        command += [str(CHILD), target.module, target.attribute or "-", event_file, str(output)]
        if with_calls:
            command.append("calls")
        done = subprocess.run(
            command,
            env=target.env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=CHILD_TIMEOUT,
            check=False,
        )
        if done.returncode != 0 or not output.is_file():
            tail = done.stderr.strip().splitlines()[-3:]
            raise RuntimeError(f"{target.label}: child failed: {' / '.join(tail)}")
        report: dict[str, Any] = json.loads(output.read_text("utf-8"))
        return report, done.stderr


def _importtime_lines(stderr: str) -> list[tuple[str, float, float, int]]:
    """``-X importtime``'s lines: module, self ms, cumulative ms, nesting depth."""
    lines = []
    for line in stderr.splitlines():
        match = IMPORTTIME.match(line)
        if match:
            own, cumulative, indent, name = match.groups()
            lines.append((name, int(own) / 1000, int(cumulative) / 1000, len(indent) // 2))
    return lines


def _module_line(lines: list[tuple[str, float, float, int]], module: str) -> int:
    return max(
        (i for i, line in enumerate(lines) if line[0] == module and line[3] == 0), default=-1
    )


def first_request_imports(stderr: str, module: str) -> dict[str, float]:
    """What the first request imported (the top-level imports after ``module``'s), in ms."""
    lines = _importtime_lines(stderr)
    end = _module_line(lines, module)
    if end < 0:
        return {}
    return {name: cumulative for name, _, cumulative, depth in lines[end + 1 :] if depth == 0}


def parse_importtime(stderr: str, module: str) -> dict[str, tuple[float, float, int]]:
    """The imports made by ``module`` (its block in ``-X importtime``'s output: the lines
    before its own depth-0 line, back to the previous depth-0 line), in ms."""
    lines = _importtime_lines(stderr)
    end = _module_line(lines, module)
    if end < 0:
        return {}
    start = end
    while start > 0 and lines[start - 1][3] > 0:
        start -= 1
    return {
        name: (own, cumulative, depth) for name, own, cumulative, depth in lines[start : end + 1]
    }


class Events:
    """Valid first events for each handler, against the local stack. Registrations for the
    consumers and the staff read are posted through the local gateway first (one per round),
    so every first request does the work a new case brings, not a repeat."""

    def __init__(self, system: LocalSystem, rounds: int) -> None:
        self.rounds = rounds
        self.system = system
        self.stack = system.stack
        self.table = self.stack.environment()["REGISTRATIONS_TABLE"]
        self.cases: list[tuple[str, str, dict[str, Any]]] = []  # reference, id, stored item
        dynamodb = system.pump.client("dynamodb")
        for index in range(2 * rounds):  # the second half for the raw baselines
            answer = requests.post(
                f"{system.url}/api/registrations", json=registration(1000 + index), timeout=30
            )
            answer.raise_for_status()
            reference = answer.json()["reference"]
            claim = dynamodb.get_item(
                TableName=self.table,
                Key={"pk": {"S": f"REF#{reference}"}, "sk": {"S": "REFERENCE"}},
            )["Item"]
            registration_id = claim["registration_id"]["S"]
            key = {"pk": {"S": f"REG#{registration_id}"}, "sk": {"S": "REGISTRATION"}}
            item = dynamodb.get_item(TableName=self.table, Key=key)["Item"]
            self.cases.append((reference, registration_id, item))
        self.builders: dict[str, Callable[[str, int], Any]] = {
            "intake.intake_handler.handler": self.intake,
            "admin.admin_handler.handler": self.admin_read,
            "triage.workflow_start_handler.handler": self.stream_insert,
            "triage.triage_handler.handler": self.triage_enqueue,
            "triage.agenda_handler.handler": self.schedule,
            "notify.notify_handler.handler": self.notify_receipt,
        }

    def event(self, target: Target, round_index: int) -> Any:
        """The event of ``round_index``; a raw baseline gets its handler's kind of event,
        about a case of its own."""
        builder = self.builders.get(target.baseline_of or target.label)
        if builder is None:
            return None
        return builder(target.function, round_index + (self.rounds if target.baseline_of else 0))

    def _api(self, function: str, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        route = next(
            r
            for r in self.stack.routes
            if r.function == function and r.method == method and r.path == path
        )
        # What CloudFront adds (the origin secret): the functions refuse a request without it.
        kwargs["headers"] = {**kwargs["headers"], **self.stack.api_origin_headers}
        return build_event(method=method, route=route, **kwargs)

    def intake(self, function: str, round_index: int) -> dict[str, Any]:
        body = json.dumps(registration(round_index)).encode()
        headers = {"content-type": "application/json", "host": "127.0.0.1"}
        return self._api(
            function,
            "POST",
            "/api/registrations",
            raw_path="/api/registrations",
            query="",
            headers=headers,
            body=body,
            path_parameters={},
        )

    def admin_read(self, function: str, round_index: int) -> dict[str, Any]:
        """A staff member opens a case: audit record, then decryption (the heaviest read)."""
        reference = self.cases[round_index][0]
        event = self._api(
            function,
            "POST",
            "/api/admin/registrations/{reference}/read",
            raw_path=f"/api/admin/registrations/{reference}/read",
            query="",
            headers={"host": "127.0.0.1", "content-type": "application/json"},
            body=json.dumps(
                {"purpose_category": "triage", "purpose": "Voorbereiding triage"}
            ).encode(),
            path_parameters={"reference": reference},
        )
        # What API Gateway's JWT authorizer passes on (the token check is not the Lambda's).
        claims = {
            "sub": str(uuid.uuid4()),
            "email": "bench@example.org",
            "email_verified": "true",
            "token_use": "id",
            "cognito:groups": "[triage]",
        }
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
        return event

    def stream_insert(self, function: str, round_index: int) -> dict[str, Any]:
        _, _, item = self.cases[round_index]
        source = next(s for s in self.system.pump.stream_sources if s.function == function)
        record = {
            "eventID": uuid.uuid4().hex,
            "eventName": "INSERT",
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": REGION,
            "dynamodb": {
                "ApproximateCreationDateTime": int(time.time()),
                "Keys": {"pk": item["pk"], "sk": item["sk"]},
                "NewImage": item,
                "SequenceNumber": str(round_index + 1).rjust(21, "0"),
                "SizeBytes": len(json.dumps(item)),
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
            "eventSourceARN": source.stream_arn,
        }
        return {"Records": [record]}

    def _sqs(self, function: str, body: dict[str, Any]) -> dict[str, Any]:
        source = next(s for s in self.system.pump.sqs_sources if s.function == function)
        message = {
            "MessageId": str(uuid.uuid4()),
            "ReceiptHandle": uuid.uuid4().hex,
            "Body": json.dumps(body),
            "Attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": str(int(time.time() * 1000)),
            },
        }
        return {"Records": [source._record(message)]}

    def triage_enqueue(self, function: str, round_index: int) -> dict[str, Any]:
        return self._sqs(
            function, {"kind": "enqueue", "registration_id": self.cases[round_index][1]}
        )

    def notify_receipt(self, function: str, round_index: int) -> dict[str, Any]:
        return self._sqs(
            function, {"kind": "receipt", "registration_id": self.cases[round_index][1]}
        )

    def schedule(self, function: str, round_index: int) -> Any:
        source = next(s for s in self.system.pump.schedules.values() if s.function == function)
        return source.event(dt.datetime.now(dt.UTC))


def bytecode_env(cached: bool, empty_dir: Path) -> dict[str, str]:
    """Where the children find compiled bytecode. ``cached``: in a cache of this benchmark
    (written by the warm-up round), as a function built by ``make build`` ships it. Otherwise
    nowhere: every module is compiled from source at each start, as a deployed function did
    before ``make build`` compiled its bytecode (its code folder is read-only)."""
    if cached:
        return {"PYTHONPYCACHEPREFIX": str(PYC_CACHE), "PYTHONDONTWRITEBYTECODE": ""}
    return {"PYTHONPYCACHEPREFIX": str(empty_dir), "PYTHONDONTWRITEBYTECODE": "1"}


def targets(
    system: LocalSystem,
    inherited: dict[str, str],
    bytecode: dict[str, str],
    code: Path,
    houses: Path,
) -> list[Target]:
    """The baseline, then every function of the template, each with its own environment:
    what the shell passed, the emulator's settings and the function's ``Environment``. The
    house is read from ``houses``, the JSON files ``make build`` ships (``deploy.bundle``)."""
    function_env = system.stack.environment()
    emulator = {k: v for k, v in system.environment.items() if k not in function_env}
    python_path = {"PYTHONPATH": f"{code}{os.pathsep}{REPO}"}
    bundle(houses)
    bundled = {"VH_HOUSE_FILE": str(houses / f"{system.house}.json")}
    base = inherited | emulator | python_path | bytecode | bundled
    if not base["PYTHONDONTWRITEBYTECODE"]:
        del base["PYTHONDONTWRITEBYTECODE"]
    found = [Target(BASELINE, "boto3", env=base)]
    for logical_id, function in system.stack.functions.items():
        handler = str(function["Handler"])
        module, attribute = handler.rsplit(".", 1)
        env = base | function["Environment"]
        found.append(Target(handler, module, attribute, logical_id, env))
        if handler in BASELINE_OF:
            # coldstart_child.py's folder (this one) is first on the child's path.
            label = f"raw baseline: {BASELINE_OF[handler]}"
            found.append(
                Target(
                    label, "baselines", BASELINE_OF[handler], logical_id, env, baseline_of=handler
                )
            )
    return found


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def measure(all_targets: list[Target], events: Events | None, runs: int, out: Any) -> None:
    for round_index in range(runs + 1):
        counted = round_index > 0
        out.write(f"round {round_index}/{runs}{'' if counted else ' (warm-up)'}\n")
        for target in all_targets:
            event = events.event(target, round_index) if events else None
            # The warm-up round also records the AWS calls (a hook on botocore, not timed).
            report, _ = run_child(target, event, with_calls=not counted)
            if not counted:
                target.calls = report.get("calls", [])
                continue
            target.import_ms.append(report["import_ms"])
            target.import_cpu_ms.append(report["import_cpu_ms"])
            if "first_ms" in report:
                target.first_ms.append(report["first_ms"])
                target.first_cpu_ms.append(report["first_cpu_ms"])
                target.outcomes.append(report["outcome"])


def measure_importtime(all_targets: list[Target], runs: int, events: Events | None) -> None:
    """``-X importtime`` runs; intake's with a first request (its event is always a new
    registration), to show what that request imports."""
    for _ in range(runs):
        for target in [t for t in all_targets if not t.baseline_of]:
            event = events.event(target, 0) if events and target.label == TARGETED else None
            _, stderr = run_child(target, event, with_importtime=True)
            target.importtime.append(parse_importtime(stderr, target.module))
            if event is not None:
                target.first_imports.append(first_request_imports(stderr, target.module))


def importtime_median(target: Target) -> dict[str, tuple[float, float, int]]:
    """Per module: median self and cumulative ms over the -X importtime runs."""
    names = {name for run in target.importtime for name in run}
    result = {}
    for name in names:
        seen = [run[name] for run in target.importtime if name in run]
        result[name] = (
            median([s[0] for s in seen]),
            median([s[1] for s in seen]),
            seen[0][2],
        )
    return result


def by_package(target: Target) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for name, (own, _, _) in importtime_median(target).items():
        totals[name.split(".", 1)[0]] += own
    return totals


def _range(target: Target) -> str:
    return f"{min(target.import_ms):.0f}-{max(target.import_ms):.0f}"


def first_request_failed(target: Target) -> bool:
    return any(outcome not in SUCCESS for outcome in target.outcomes)


def _goal(ratio: float) -> str:
    return f"{'yes' if ratio <= TARGET_RATIO else 'no'}"


def print_report(all_targets: list[Target], top: int, out: Any, compiled: str) -> bool:
    """The tables; True when every target is met."""
    baseline = median(all_targets[0].import_ms)
    baseline_cpu = median(all_targets[0].import_cpu_ms)
    handlers = [t for t in all_targets[1:] if not t.baseline_of]
    raw = {t.baseline_of: t for t in all_targets if t.baseline_of}
    met = True
    rows = [[BASELINE, baseline, _range(all_targets[0]), "1.00", "1.00", "-"]]
    for target in handlers:
        imported = median(target.import_ms)
        met = met and imported <= TARGET_RATIO * baseline
        rows.append(
            [
                target.label,
                imported,
                _range(target),
                f"{imported / baseline:.2f}",
                f"{median(target.import_cpu_ms) / baseline_cpu:.2f}",
                _goal(imported / baseline),
            ]
        )
    runs = len(all_targets[0].import_ms)
    out.write(
        f"\nImport per handler (fresh interpreter, {compiled}, median of {runs} runs, ms; "
        f"ratio to `{BASELINE}` in the same run: of the wall time, and of the CPU time, which "
        f"other work on a busy machine inflates less; target <= {TARGET_RATIO}x)\n\n"
    )
    headers = ["handler", "import", "range", "x boto3", "CPU x", "met"]
    out.write(table(headers, rows) + "\n")

    first_rows = []
    for target in handlers:
        own = raw.get(target.label)
        if not target.first_ms or own is None or not own.first_ms:
            continue
        first, plain = median(target.first_ms), median(own.first_ms)
        met = met and first <= TARGET_RATIO * plain
        same = "yes" if target.calls == own.calls else f"no: {', '.join(target.calls)}"
        first_rows.append(
            [
                target.label,
                first,
                plain,
                f"{first / plain:.2f}",
                f"{median(target.first_cpu_ms) / median(own.first_cpu_ms):.2f}",
                ", ".join(sorted(set(target.outcomes))),
                f"{len(target.calls)}, same: {same}",
                _goal(first / plain),
            ]
        )
    if first_rows:
        out.write(
            f"\nImport + first request per handler, beside its raw baseline (the same AWS calls "
            f"and cryptography with boto3 alone, benchmarks/coldstart/baselines.py; each in a "
            f"fresh interpreter, interleaved; median of {runs} runs, ms; target <= "
            f"{TARGET_RATIO}x)\n\n"
        )
        headers = [
            "handler",
            "first request",
            "raw baseline",
            "x baseline",
            "CPU x",
            "answer",
            "AWS calls",
            "met",
        ]
        out.write(table(headers, first_rows) + "\n")

    packages = [t for t in all_targets if t.importtime]
    if packages:
        totals = {t.label: by_package(t) for t in packages}
        ranked = sorted(
            {name for sums in totals.values() for name in sums},
            key=lambda name: max(sums.get(name, 0.0) for sums in totals.values()),
            reverse=True,
        )[:top]
        short = [t.module.rsplit(".", 1)[-1] if t.attribute else t.module for t in packages]
        out.write(
            f"\nWhat the imports cost, per top-level package (self time summed, ms, median of "
            f"{len(packages[0].importtime)} `-X importtime` runs; the whole import last)\n\n"
        )
        package_rows: list[list[Any]] = [
            [name, *(totals[t.label].get(name, 0.0) for t in packages)] for name in ranked
        ]
        package_rows.append(["(all)", *(sum(totals[t.label].values()) for t in packages)])
        out.write(table(["package", *short], package_rows) + "\n")

        intake = next((t for t in packages if t.label == TARGETED), None)
        if intake:
            heaviest = sorted(
                importtime_median(intake).items(), key=lambda kv: kv[1][1], reverse=True
            )[1 : top + 1]
            out.write(f"\nHeaviest imports of {TARGETED} (cumulative, ms; nesting indented)\n\n")
            heavy_rows = [
                ["  " * depth + name, cumulative, own]
                for name, (own, cumulative, depth) in heaviest
            ]
            out.write(table(["module", "cumulative", "self"], heavy_rows) + "\n")
        if intake and intake.first_imports:
            names = {name for run in intake.first_imports for name in run}
            later = {n: median([r[n] for r in intake.first_imports if n in r]) for n in names}
            ranked_later = sorted(later.items(), key=lambda kv: kv[1], reverse=True)[:top]
            out.write(
                f"\nImported by the first request of {TARGETED}, not at import (cumulative, "
                f"ms; all: {sum(later.values()):.0f})\n\n"
            )
            out.write(table(["module", "cumulative"], [list(kv) for kv in ranked_later]) + "\n")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--house", default=os.environ.get("VH_HOUSE", "voorbeeldregio"))
    parser.add_argument("--runs", type=int, default=7, help="counted runs per handler (7)")
    parser.add_argument("--importtime-runs", type=int, default=3, help="-X importtime runs (3)")
    parser.add_argument("--top", type=int, default=10, help="rows of the import tables (10)")
    parser.add_argument("--no-first-request", action="store_true", help="import times only")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument(
        "--functions",
        type=Path,
        default=REPO / "functions",
        help="the functions' code to measure (another copy, for a before/after comparison)",
    )
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="compile every module from source at each start (no .pyc files)",
    )
    args = parser.parse_args()
    if not 1 <= args.runs <= 50 or not 0 <= args.importtime_runs <= 20:
        parser.error("--runs must be 1..50 and --importtime-runs 0..20")

    inherited = dict(os.environ)
    started = time.monotonic()
    # The stack's own log lines (the registrations posted first) stay off the console.
    with (
        console_for_report() as out,
        tempfile.TemporaryDirectory(prefix="vh-nopyc-") as empty,
        tempfile.TemporaryDirectory(prefix="vh-houses-") as houses,
    ):
        system = local_system(args.house).start()
        try:
            events = None if args.no_first_request else Events(system, args.runs + 1)
            bytecode = bytecode_env(not args.no_bytecode, Path(empty))
            all_targets = targets(
                system, inherited, bytecode, args.functions.resolve(), Path(houses)
            )
            measure(all_targets, events, args.runs, out)
            measure_importtime(all_targets, args.importtime_runs, events)
        finally:
            system.stop()
        out.write(f"\n{machine()}\n")
        compiled = "no .pyc: compiled at each start" if args.no_bytecode else "with .pyc"
        met = print_report(all_targets, args.top, out, compiled)
        failed = [t.label for t in all_targets if first_request_failed(t)]
        if failed:
            out.write(f"\nfirst request did not succeed: {', '.join(failed)}\n")
        out.write(f"({time.monotonic() - started:.0f} s)\n")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = [asdict(t) | {"env": None} for t in all_targets]
        args.json.write_text(json.dumps({"house": args.house, "targets": payload}, indent=2))
    return 1 if failed or (args.check and not met) else 0


if __name__ == "__main__":
    sys.exit(main())
