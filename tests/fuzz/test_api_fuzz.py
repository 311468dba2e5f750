"""API fuzzing: schemathesis generates requests from ``docs/openapi.json`` for every operation
(valid and invalid ones, in its examples, coverage and fuzzing phases) and sends them to the
local stack; every built-in check must hold for every answer.

``make test`` runs a short round (``VH_FUZZ_EXAMPLES``, default 20 per operation);
``make fuzz`` runs the long one (1,000). The seed is fixed and generation deterministic, so a
failure found once is found again. Admin operations are called with the real ID token of a
group that may call them (``MATRIX`` of the authorization tests), so no 403 hides a bug."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis.specs.openapi.checks import unsupported_method

from devstack.openapi import DOCUMENT
from devstack.stack import LocalSystem
from tests.integration.test_admin_api import MATRIX

# The intake's metrics decorator warns on every call that published no metric: noise here.
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish:UserWarning")

SEED = 20_261_208
EXAMPLES = int(os.environ.get("VH_FUZZ_EXAMPLES", "20"))

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",
            "max-examples": EXAMPLES,
            "deterministic": True,
            "database": "none",
            # The token is ours to send (a real one per operation, below), not generated.
            "with-security-parameters": False,
        },
        "operations": [
            {
                # The callback finishes a sign-in that our own login page started: without
                # its state cookie every request, however well-formed, is refused with 400.
                "include-path": "/api/admin/auth/callback",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "3xx", "400"],
                    }
                },
            },
            {
                # A registration also follows rules the OpenAPI document does not state: the
                # organisation must be one of the house's partners (house configuration), a
                # date of birth lies in the past, a phone number is Dutch, and answers depend
                # on each other (exactly one main person, a reason with "spoed", ...). So data
                # valid by the document alone may rightly get 422; every other check holds.
                "include-path": "/api/registrations",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "422"],
                    }
                },
            },
        ],
    }
)
schema = schemathesis.openapi.from_path(DOCUMENT, config=CONFIG)

# API Gateway HTTP APIs answer 404 Not Found (without Allow) for a method no route declares;
# the local gateway does the same. The check wants 405, which AWS never sends here.
EXCLUDED = [unsupported_method]

CASES: Counter[str] = Counter()


def group_for(method: str, path: str) -> str | None:
    """A staff group that may call this operation (beheer where it may), None if public."""
    allowed = MATRIX.get((method, path))
    if allowed is None:
        return None
    return "beheer" if "beheer" in allowed else sorted(allowed)[0]


@pytest.fixture(scope="module")
def fuzz_report(request: pytest.FixtureRequest) -> Iterator[Counter[str]]:
    """Counts the cases per operation and prints them at the end of the module."""
    yield CASES
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for label, count in sorted(CASES.items()):
                reporter.write_line(f"fuzz: {count:6d} cases  {label}")
            reporter.write_line(f"fuzz: {sum(CASES.values()):6d} cases in all (seed {SEED})")


@schema.parametrize()
def test_every_operation_answers_as_documented(
    case: schemathesis.Case[Any],
    local_system: LocalSystem,
    staff_tokens: Callable[[str], dict[str, Any]],
    fuzz_report: Counter[str],
) -> None:
    headers: dict[str, str] = {}
    group = group_for(case.method.upper(), case.path)
    if group is not None:
        headers["Authorization"] = f"Bearer {staff_tokens(group)['id_token']}"
    fuzz_report[case.operation.label] += 1
    case.call_and_validate(
        base_url=local_system.url, headers=headers, excluded_checks=EXCLUDED, timeout=30
    )
