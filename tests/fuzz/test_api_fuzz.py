"""API fuzzing: schemathesis generates requests from ``docs/openapi.json`` for every operation
(valid and invalid ones, in its examples, coverage and fuzzing phases) and sends them to the
local stack; every built-in check must hold for every answer.

``make test`` runs a short round (``VH_FUZZ_EXAMPLES``, default 20 per operation);
``make fuzz`` runs the long one (1,000). The seed is fixed and generation deterministic, so a
failure found once is found again. Admin operations are called with the real ID token of a
group that may call them (``MATRIX`` of the authorization tests), so no 403 hides a bug."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import assume
from hypothesis import strategies as st
from schemathesis.hooks import HookContext
from schemathesis.specs.openapi.checks import unsupported_method

from devstack.openapi import DOCUMENT
from devstack.stack import LocalSystem
from tests.integration.test_admin_api import MATRIX, new_case
from vhcore.registration import PHONE_FORMAT, PHONE_PATTERN

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
        ],
    }
)
schema = schemathesis.openapi.from_path(DOCUMENT, config=CONFIG)


@st.composite
def dutch_phone_numbers(draw: st.DrawFn) -> str:
    """Numbers of the document's ``nl-phone`` format, as people type them: 0, +31 or 0031,
    then nine digits, with spaces, dots, dashes or brackets between some of them, at most 20
    characters. Drawn directly: drawing from the pattern and then keeping those within 20
    characters throws most away, and Hypothesis stops on that."""
    separators = st.sampled_from(["", "", "", " ", "-", ".", "(", ")", ") ", "\u2009", "\u00a0"])
    number = draw(st.sampled_from(["0", "+31", "0031", "+31 ", "(0", "0031 "]))
    number += draw(st.sampled_from("123456789"))
    for digit in draw(st.text("0123456789", min_size=8, max_size=8)):
        number += draw(separators) + digit
    assume(len(number) <= 20)
    assert re.search(PHONE_PATTERN, number), number  # the strategy stays within the format
    return number


schemathesis.openapi.format(PHONE_FORMAT, dutch_phone_numbers())


@schema.hook
def map_body(ctx: HookContext, body: Any) -> Any:
    """The one rule of a registration the document cannot state as a schema: a date of birth
    lies before today (JSON Schema has no "now"; the document says so in words). A generated
    date from today on is moved into the past, keeping its month and day (1980 + year % 4
    keeps 29 February valid); everything else about the case stays as generated."""
    if ctx.operation is None or ctx.operation.path != "/api/registrations":
        return body
    persons = body.get("persons") if isinstance(body, dict) else None
    for person in persons if isinstance(persons, list) else []:
        born = person.get("date_of_birth") if isinstance(person, dict) else None
        try:
            day = dt.date.fromisoformat(born) if isinstance(born, str) else None
        except ValueError:
            continue
        if day is not None and day >= dt.datetime.now(dt.UTC).date():  # as the API counts
            person["date_of_birth"] = day.replace(year=1980 + day.year % 4).isoformat()
    return body


# Cases that exist on the stack (``existing_cases``): two of three generated references are
# replaced by one of them, so the per-case operations are also fuzzed on real cases (their
# state changes, audit records and 409s), not only answered 404. The document states no
# form for a reference, so any generated one is valid and so is its replacement.
EXISTING: list[str] = []


@schema.hook
def map_path_parameters(ctx: HookContext, path_parameters: Any) -> Any:
    reference = path_parameters.get("reference") if isinstance(path_parameters, dict) else None
    if EXISTING and isinstance(reference, str):
        pick = sum(reference.encode()) % (len(EXISTING) + len(EXISTING) // 2)
        if pick < len(EXISTING):
            path_parameters["reference"] = EXISTING[pick]
    return path_parameters


# API Gateway HTTP APIs answer 404 Not Found (without Allow) for a method no route declares;
# the local gateway does the same. The check wants 405, which AWS never sends here.
EXCLUDED = [unsupported_method]

# (operation, status) -> cases answered so; printed at the end of the module.
CASES: Counter[tuple[str, int]] = Counter()


def group_for(method: str, path: str) -> str | None:
    """A staff group that may call this operation (beheer where it may), None if public."""
    allowed = MATRIX.get((method, path))
    if allowed is None:
        return None
    return "beheer" if "beheer" in allowed else sorted(allowed)[0]


@pytest.fixture(scope="module")
def fuzz_report(request: pytest.FixtureRequest) -> Iterator[Counter[tuple[str, int]]]:
    """Counts the cases per operation and status, and prints them at the end of the module
    (the statuses show that valid data was generated and accepted, not only refused)."""
    yield CASES
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for label in sorted({label for label, _ in CASES}):
                answers = {status: n for (op, status), n in sorted(CASES.items()) if op == label}
                statuses = ", ".join(f"{status}: {n}" for status, n in answers.items())
                reporter.write_line(f"fuzz: {sum(answers.values()):6d} cases  {label} ({statuses})")
            reporter.write_line(f"fuzz: {sum(CASES.values()):6d} cases in all (seed {SEED})")


@pytest.fixture(scope="module")
def existing_cases(local_system: LocalSystem) -> list[str]:
    """Twelve registrations, made before the first case is generated."""
    if not EXISTING:
        EXISTING.extend(new_case(local_system) for _ in range(12))
    return EXISTING


@schema.parametrize()
def test_every_operation_answers_as_documented(
    case: schemathesis.Case[Any],
    local_system: LocalSystem,
    existing_cases: list[str],
    staff_tokens: Callable[[str], dict[str, Any]],
    fuzz_report: Counter[tuple[str, int]],
) -> None:
    headers: dict[str, str] = {}
    group = group_for(case.method.upper(), case.path)
    if group is not None:
        headers["Authorization"] = f"Bearer {staff_tokens(group)['id_token']}"
    response = case.call(base_url=local_system.url, headers=headers, timeout=30)
    fuzz_report[case.operation.label, response.status_code] += 1
    if refused_by_a_rule_in_words(case.path, response):
        return  # a rule the document states in words only (the field's description)
    case.validate_response(response, excluded_checks=EXCLUDED)


# Rules JSON Schema cannot state, each refused with its own code and Dutch reason:
# a triage date in the past, in a weekend, on a holiday or not on the house's triage day
# (no "today" or "working day" in JSON Schema), and an audit period of more than 12 months
# or ending before it starts (no relation between two parameters).
RULES_IN_WORDS = {"/schedule": "vh_schedulable", "/audit": "vh_audit_period"}


def refused_by_a_rule_in_words(path: str, response: Any) -> bool:
    """A 422 whose every problem is the rule the path's document describes in words."""
    code = next((c for end, c in RULES_IN_WORDS.items() if path.endswith(end)), None)
    if code is None or response.status_code != 422:
        return False
    errors = response.json().get("errors", [])
    return bool(errors) and all(e.get("code") == code for e in errors)
