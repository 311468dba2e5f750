"""The intake API's promises: once, safely, in plain Dutch, for JSON and plain form posts."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
import requests

from devstack.stack import LocalSystem
from tests.factories import registration
from tests.integration.test_intake import post, registration_item, table_items
from tests.integration.test_workflow import execution
from vhcore.dal import crypto
from vhcore.reference import is_reference


def form_fields(body: dict[str, Any]) -> list[tuple[str, str]]:
    """The registration as the plain HTML form posts it."""
    fields: list[tuple[str, str]] = []

    def add(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                add(f"{prefix}.{key}" if prefix else key, inner)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, inner in enumerate(value):
                add(f"{prefix}.{index}", inner)
        elif isinstance(value, list):
            fields.extend((prefix, str(v)) for v in value)
        elif isinstance(value, bool):
            fields.append((prefix, "ja" if value else ""))
        else:
            fields.append((prefix, str(value)))

    add("", body)
    return fields


def post_form(system: LocalSystem, fields: list[tuple[str, str]]) -> requests.Response:
    return requests.post(
        f"{system.url}/api/registrations",
        data=urlencode(fields),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        allow_redirects=False,
        timeout=30,
    )


def registrations_count(system: LocalSystem) -> int:
    return sum(1 for item in table_items(system) if item["sk"]["S"] == "REGISTRATION")


def test_a_plain_form_post_is_answered_with_303_to_the_confirmation(
    local_system: LocalSystem,
) -> None:
    response = post_form(local_system, form_fields(registration()))
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/casus-aanmelden/bevestiging/?kenmerk=")
    query = dict(parse_qsl(location.split("?", 1)[1]))
    assert is_reference(query["kenmerk"])
    today = dt.datetime.now(dt.UTC).date()
    assert dt.date.fromisoformat(query["triage"]) >= today  # voorbeeldregio meets weekly
    assert dt.date.fromisoformat(query["contact"]) > today
    item = registration_item(local_system, query["kenmerk"])
    assert item["urgency"]["S"] == "normaal"
    assert item["criteria_met"]["BOOL"] is True


def test_an_invalid_plain_form_post_gets_an_html_page_with_every_problem(
    local_system: LocalSystem,
) -> None:
    fields = [
        (k, v)
        for k, v in form_fields(registration(urgency="spoed"))
        if k not in {"declaration", "life_domains"}
    ]
    response = post_form(local_system, fields)
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert '<html lang="nl">' in page
    assert "Kies minstens één leefgebied." in page
    assert "Leg uit waarom de aanmelding spoed heeft." in page
    assert "Vink de verklaring aan" in page
    assert "Terug naar het formulier" in page
    assert "Prunusstraat" not in page


def test_every_problem_is_reported_at_once_including_conditional_questions(
    local_system: LocalSystem,
) -> None:
    body = registration(
        urgency="spoed",
        criteria=["meerdere-ketens"],
        informed="nee",
        declaration=False,
        description="kort",
    )
    problems = {p["field"]: p["message"] for p in post(local_system, body).json()["errors"]}
    assert set(problems) >= {
        "urgency_reason",
        "criteria_explanation",
        "not_informed_reason",
        "declaration",
        "description",
    }


def test_a_body_over_64_kb_is_refused_with_413(local_system: LocalSystem) -> None:
    response = post(local_system, json.dumps({"description": "x" * (65 * 1024)}))
    assert response.status_code == 413
    assert "te groot" in response.json()["message"]


def test_another_content_type_is_refused_with_415(local_system: LocalSystem) -> None:
    response = requests.post(
        f"{local_system.url}/api/registrations",
        data="naam=x",
        headers={"Content-Type": "text/plain"},
        timeout=10,
    )
    assert response.status_code == 415


def test_sending_twice_gives_the_same_reference_and_one_registration(
    local_system: LocalSystem,
) -> None:
    body = registration()
    before = registrations_count(local_system)
    first, second = post(local_system, body), post(local_system, body)
    assert first.status_code == second.status_code == 202
    assert first.json()["reference"] == second.json()["reference"]
    assert registrations_count(local_system) == before + 1


def test_without_a_submission_id_the_same_content_is_recognised(
    local_system: LocalSystem,
) -> None:
    body = registration()
    del body["submission_id"]
    before = registrations_count(local_system)
    references = {post(local_system, body).json()["reference"] for _ in range(2)}
    form = post_form(local_system, form_fields(body))
    references.add(dict(parse_qsl(form.headers["Location"].split("?", 1)[1]))["kenmerk"])
    assert len(references) == 1
    assert registrations_count(local_system) == before + 1


@pytest.mark.parametrize("keyed_by", ["submission_id", "content"])
def test_fifty_concurrent_identical_submissions_give_one_registration_workflow_and_receipt(
    local_system: LocalSystem, keyed_by: str
) -> None:
    """All 50 get 202 with the same reference; one registration, one workflow run, one
    receipt. (The gateway runs one request per function at a time, as one Lambda environment
    does; duplicates racing in separate environments are run on the logic below: a duplicate
    that finds the first still in progress waits for its answer.)"""
    body = registration()
    if keyed_by == "content":
        del body["submission_id"]
        # Content no other test sends: the same content within a day is the same registration.
        body["description"] += f" Melding {uuid.uuid4().hex[:8]}."
    before = registrations_count(local_system)
    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(lambda _: post(local_system, body), range(50)))
    assert {r.status_code for r in responses} == {202}
    references = {r.json()["reference"] for r in responses}
    assert len(references) == 1
    assert registrations_count(local_system) == before + 1
    (reference,) = references
    local_system.pump.drain(timeout=30)
    registration_id = registration_item(local_system, reference)["pk"]["S"].removeprefix("REG#")
    assert execution(local_system, registration_id)["status"] == "RUNNING"  # exactly one
    receipts = [m for m in local_system.outbox() if m.subject.startswith("Ontvangst")]
    assert len([m for m in receipts if reference in m.subject]) == 1


def test_a_filled_honeypot_looks_accepted_but_stores_nothing(local_system: LocalSystem) -> None:
    before = len(table_items(local_system))
    response = post(local_system, registration(website="http://spam.example"))
    assert response.status_code == 202
    assert is_reference(response.json()["reference"])
    assert len(table_items(local_system)) == before


@pytest.fixture
def broken_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(
        "DATA_KEY_ARN", "arn:aws:kms:eu-central-1:123456789012:key/00000000-0000-0000-0000-0"
    )
    crypto._masker_on.cache_clear()
    yield
    monkeypatch.undo()
    crypto._masker_on.cache_clear()


@pytest.mark.usefixtures("broken_key")
def test_when_encryption_fails_nothing_is_stored_and_the_answer_is_503(
    local_system: LocalSystem,
) -> None:
    before = len(table_items(local_system))
    response = post(local_system, registration())
    assert response.status_code == 503
    assert len(table_items(local_system)) == before


def test_concurrent_identical_registrations_in_separate_environments_store_one(
    local_system: LocalSystem,
) -> None:
    """Lambda runs concurrent requests in separate environments; the gateway runs one per
    function at a time. So the race is also run on the logic, from many threads at once."""
    from vhcore.dal.services import aws_services
    from vhcore.logic.intake import register
    from vhcore.registration import RegistrationRequest

    request = RegistrationRequest.model_validate(registration())
    before = registrations_count(local_system)
    with ThreadPoolExecutor(max_workers=50) as pool:
        services = aws_services("idempotency_table", "data_key_arn", "contact_key_arn")
        answers = list(pool.map(lambda _: register(services, request), range(50)))
    assert len({a.reference for a in answers}) == 1
    assert registrations_count(local_system) == before + 1
