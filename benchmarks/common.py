"""What the latency and load benchmarks share: the local stack, fictional registrations,
percentiles and plain-text tables. Loopback only; nothing here talks to AWS."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import uuid
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
os.environ.setdefault("VH_HOUSE", "voorbeeldregio")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")

if TYPE_CHECKING:
    from devstack.stack import LocalSystem

RECEIPT_SUBJECT = "Ontvangstbevestiging van uw aanmelding "


def local_system(house: str = "voorbeeldregio") -> LocalSystem:
    """The stack the tests use (``tests/conftest.py``), quiet, on free loopback ports, with
    the ``/dev/`` pages (the hosted login's stand-in gives staff tokens) and without a built
    site (only the API is measured). The event pump is not started: callers decide."""
    os.environ["VH_HOUSE"] = house
    # Consumers that emit no metric of their own make Powertools warn on every batch.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    from devstack.stack import LocalSystem

    empty_site = Path(tempfile.mkdtemp(prefix="vh-bench-site-"))
    # The rate rules and throttles off: the benchmarks measure the functions, from one address.
    return LocalSystem(house=house, site_dir=empty_site, quiet=True, dev=True, limits=False)


@contextmanager
def console_for_report() -> Iterator[IO[str]]:
    """While the stack runs, the handlers' log lines and the gateway's request lines go to
    /dev/null at the file-descriptor level (they are still written, as in Lambda, just not
    shown); the yielded stream is the real console, for the report."""
    sys.stdout.flush()
    saved = os.dup(1)
    with Path(os.devnull).open("w") as devnull:
        os.dup2(devnull.fileno(), 1)
    report = os.fdopen(os.dup(saved), "w", buffering=1)
    try:
        yield report
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        report.close()


def registration(index: int) -> dict[str, Any]:
    """A valid, fictional registration of the usual size, unique per ``index``, with its own
    submission id (as the form's script makes one per form)."""
    from devstack.seed import example_registration

    body = example_registration(index % 3)
    body["description"] = f"{body['description']} Benchmarkaanmelding {index + 1}."
    body["persons"][0]["last_name"] = f"Benchmark {index + 1}"
    body["submission_id"] = str(uuid.uuid4())
    return body


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 (inclusive method, interpolated), mean and max, in milliseconds."""
    values = sorted(s * 1000 for s in seconds)
    if len(values) < 2:
        only = values[0] if values else 0.0
        return {"n": len(values), "p50": only, "p95": only, "p99": only, "mean": only, "max": only}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {
        "n": len(values),
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "mean": statistics.fmean(values),
        "max": values[-1],
    }


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table (readable on a console and pasteable into the README)."""

    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.1f}"
        return str(value)

    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|",
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    """The machine a run was made on: CPU model, cores, memory, Python."""
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        first = meminfo.read_text().splitlines()[0].split()
        memory = f", {int(first[1]) / 1024 / 1024:.0f} GB RAM"
    return (
        f"{model}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
