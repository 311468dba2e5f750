"""One cold start, run by ``bench_coldstart.py`` in a fresh interpreter.

Imports one module (as an ``import`` statement does), timed inside this process with
``time.perf_counter()`` (so interpreter start-up is left out equally for the baseline and the
handlers), then, when an event file is given, calls the module's handler once with it: the
first request of a cold Lambda. Writes one JSON object to the output file (stdout is the
handler's log, as in Lambda). Only the standard library's ``json`` and ``time`` are imported
before the clock starts (not ``pathlib`` or ``typing``: a handler that needs them pays).

With a fifth argument ``calls`` (a pass of its own, never timed) it also reports the AWS calls
the first request made (``service:Operation``, in order), so the benchmark can check that a
handler's raw baseline makes the same calls.

Usage: coldstart_child.py MODULE ATTRIBUTE EVENT_FILE|- OUTPUT_FILE [calls]
"""

from __future__ import annotations

import json
import sys
import time


class Context:
    """The fields of the Lambda context object that Powertools reads."""

    function_name = "coldstart"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:coldstart"
    memory_limit_in_mb = 512
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/coldstart"
    log_stream_name = "coldstart"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def outcome(result: object) -> str:
    """What the first request answered, without any of its content: a status code, the
    number of failed batch items, or the result's type."""
    if isinstance(result, dict):
        if "statusCode" in result:
            return str(result["statusCode"])
        if "batchItemFailures" in result:
            return f"{len(result['batchItemFailures'])} failed"
    return type(result).__name__


def record_aws_calls(calls: list[str]) -> None:
    """Append each AWS call's ``service:Operation`` to ``calls`` once botocore's client
    module is loaded (whenever the code under test loads it)."""
    import importlib.abc
    import importlib.machinery
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

    def wrap(module: object) -> None:
        client = getattr(module, "BaseClient")  # noqa: B009 - set on the module just run
        original = client._make_api_call

        def recorded(self: object, operation: str, params: object) -> object:
            calls.append(f"{self.meta.service_model.service_name}:{operation}")  # type: ignore[attr-defined]
            return original(self, operation, params)

        client._make_api_call = recorded

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(
            self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
        ) -> ModuleSpec | None:
            if name != "botocore.client":
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is None or spec.loader is None:
                return spec
            loader = spec.loader
            run = loader.exec_module

            def exec_module(module: object) -> None:
                run(module)  # type: ignore[arg-type]
                wrap(module)

            loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec

    sys.meta_path.insert(0, Finder())


def main(argv: list[str]) -> int:
    module_name, attribute, event_file, output_file = argv[:4]
    calls: list[str] = []
    if argv[4:] == ["calls"]:
        record_aws_calls(calls)
    event = None
    if event_file != "-":
        with open(event_file, encoding="utf-8") as source:  # noqa: PTH123 - no pathlib yet
            event = json.load(source)
    started = time.perf_counter()
    started_cpu = time.process_time()
    # The import statement's path (``__import__``), not ``importlib.import_module``: only
    # the former shows the module itself in ``-X importtime``. Same work, same time.
    __import__(module_name)
    module = sys.modules[module_name]
    imported = time.perf_counter()
    report: dict[str, object] = {
        "import_ms": (imported - started) * 1000,
        # CPU time of this process: what a busy machine's other work does not inflate.
        "import_cpu_ms": (time.process_time() - started_cpu) * 1000,
    }
    if event is not None:
        result = getattr(module, attribute)(event, Context())
        report["first_ms"] = (time.perf_counter() - started) * 1000
        report["first_cpu_ms"] = (time.process_time() - started_cpu) * 1000
        report["outcome"] = outcome(result)
        report["calls"] = calls
    with open(output_file, "w", encoding="utf-8") as target:  # noqa: PTH123
        json.dump(report, target)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
