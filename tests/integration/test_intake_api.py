"""The intake API's promises: once, safely, in plain Dutch, for JSON and plain form posts."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
import requests

from devstack.stack import LocalSystem
from tests.factories import form_fields, registration
from tests.integration.test_intake import post, registration_item, table_items
from tests.integration.test_workflow import execution
from vhcore.dal import crypto
from vhcore.reference import is_reference


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


CONFIRMED_REFERENCE = re.compile(r'id="vh-reference">(VH-[0-9A-Z-]+)<')


def confirmed_reference(page: str) -> str:
    """The reference on the confirmation page the API renders for a plain post."""
    found = CONFIRMED_REFERENCE.search(page)
    assert found, "no reference on the confirmation page"
    return found.group(1)


def test_a_plain_form_post_is_answered_with_the_confirmation_and_its_own_reference(
    local_system: LocalSystem,
) -> None:
    response = post_form(local_system, form_fields(registration()))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "Location" not in response.headers  # nothing in a URL
    page = response.text
    reference = confirmed_reference(page)
    assert is_reference(reference)
    item = registration_item(local_system, reference)
    assert item["urgency"]["S"] == "normaal"
    assert item["criteria_met"]["BOOL"] is True
    # Both dates in Dutch (voorbeeldregio meets weekly), shown without a script.
    dates = re.findall(r'id="vh-(?:contact|triage)-date">([a-z]+dag \d{1,2} [a-z]+ 20\d\d)<', page)
    assert len(dates) == 2
    assert 'id="vh-contact" hidden' not in page and 'id="vh-triage" hidden' not in page
    assert "Prunusstraat" not in page


def test_an_invalid_plain_form_post_gets_the_form_again_filled_in_with_every_problem(
    local_system: LocalSystem,
) -> None:
    body = registration(urgency="spoed")
    body["persons"].append(dict(body["persons"][0], relation="partner", first_name="Tweede"))
    body["persons"][1]["date_of_birth"] = "2999-01-01"
    fields = [(k, v) for k, v in form_fields(body) if k not in {"declaration", "life_domains"}]
    response = post_form(local_system, fields)
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert '<html lang="nl">' in page
    assert "Kies minstens één leefgebied." in page
    assert "Leg uit waarom de aanmelding spoed heeft." in page
    assert "Vink de verklaring aan" in page
    # The summary links to the fields and names the person; the form is filled in again.
    assert '<a href="#life_domains-financien-schulden">Kies minstens één leefgebied.</a>' in page
    assert '<a href="#persons.1.date_of_birth">Betrokkene 2: ' in page
    assert 'id="persons.1.first_name-error"' not in page
    assert 'name="persons.1.first_name" type="text" data-autocomplete-off value="Tweede"' in page
    assert 'id="persons.1.date_of_birth-error"' in page
    assert "Prunusstraat" in page  # the address typed, in the answer to that same post only


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
    message = response.json()["message"]
    assert "te lang om te versturen" in message and "kB" not in message  # words, not bytes


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
    references.add(confirmed_reference(form.text))
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
    yield
    monkeypatch.undo()


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


INVISIBLE_NAMES = {
    "zero-width only": "\u200b\u200d\ufeff",
    "NUL": "Jan\x00",
    "ESC and BEL": "\x1b[31mJan\x07",
    "right-to-left override": "Jan\u202enesnaJ",
}


@pytest.mark.parametrize("name", INVISIBLE_NAMES.values(), ids=INVISIBLE_NAMES.keys())
def test_a_name_with_control_or_format_characters_is_refused_and_nothing_stored(
    local_system: LocalSystem, name: str
) -> None:
    body = registration()
    body["persons"][0]["last_name"] = name
    before = len(table_items(local_system))
    response = post(local_system, body)
    assert response.status_code == 422
    problems = {p["field"]: p["message"] for p in response.json()["errors"]}
    assert problems == {
        "persons.0.last_name": "Gebruik voor de achternaam van betrokkene 1 alleen letters, "
        "cijfers, spaties en leestekens. Typ de tekst opnieuw als u hem hebt geplakt."
    }
    assert name not in response.text
    form = post_form(local_system, form_fields(body))
    assert form.status_code == 422
    assert "Gebruik voor de achternaam van betrokkene 1 alleen letters" in form.text
    assert len(table_items(local_system)) == before


def test_a_text_keeps_its_line_breaks_and_tabs(local_system: LocalSystem) -> None:
    text = "Eerste regel van de beschrijving.\r\nTweede regel,\n\tingesprongen."
    reference = post(local_system, registration(description=text)).json()["reference"]
    item = registration_item(local_system, reference)
    personal = crypto.decrypt_personal_data(
        item["personal"]["S"], item["pk"]["S"].removeprefix("REG#")
    )
    assert personal["description"] == text


@pytest.mark.parametrize("declaration", [1, "true", 1.0, "ja"])
def test_a_declaration_other_than_true_is_refused_and_nothing_stored(
    local_system: LocalSystem, declaration: object
) -> None:
    before = len(table_items(local_system))
    response = post(local_system, registration(declaration=declaration))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "declaration",
            "code": "bool_type",
            "message": "Vink de verklaring aan. Zonder verklaring kunnen wij de aanmelding "
            "niet aannemen.",
        }
    ]
    assert len(table_items(local_system)) == before


UNREADABLE = "Het formulier kon niet worden gelezen. Probeer het opnieuw."


def with_a_key_twice() -> str:
    text = json.dumps(registration())
    assert '"urgency": "normaal"' in text
    return text.replace('"urgency": "normaal"', '"urgency": "normaal", "urgency": "spoed"')


def with_a_nested_key_twice() -> str:
    text = json.dumps(registration())
    assert '"relation": "hoofdbetrokkene"' in text
    return text.replace(
        '"relation": "hoofdbetrokkene"', '"relation": "hoofdbetrokkene", "relation": "kind"'
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (with_a_key_twice(), "Een veld staat twee keer in de gegevens. Stuur elk veld één keer."),
        (
            with_a_nested_key_twice(),
            "Een veld staat twee keer in de gegevens. Stuur elk veld één keer.",
        ),
        ('{"description": ' + "[" * 40 + "]" * 40 + "}", UNREADABLE),
        ("[" * 30_000 + "]" * 30_000, UNREADABLE),
    ],
    ids=["a key twice", "a nested key twice", "nested 40 deep", "nested 30,000 deep"],
)
def test_a_key_twice_or_deep_nesting_is_refused_and_nothing_stored(
    local_system: LocalSystem, body: str, message: str
) -> None:
    before = len(table_items(local_system))
    response = post(local_system, body)
    assert response.status_code == 422
    assert [e["message"] for e in response.json()["errors"]] == [message]
    assert len(table_items(local_system)) == before


def test_the_same_submission_id_with_other_content_is_refused_with_409(
    local_system: LocalSystem,
) -> None:
    body = registration()
    changed = registration(
        submission_id=body["submission_id"], description=body["description"] + " Aangevuld."
    )
    before = registrations_count(local_system)
    first = post(local_system, body)
    assert first.status_code == 202
    for response in (post(local_system, changed), post_form(local_system, form_fields(changed))):
        assert response.status_code == 409
        assert "Deze aanmelding is al verstuurd, met andere gegevens." in response.text
    assert "Aangevuld" not in post(local_system, changed).text  # JSON: nothing echoed
    # The plain form comes back filled in (the answer to that same post), without the old
    # submission id: sent again, it is a registration of its own.
    page = post_form(local_system, form_fields(changed)).text
    assert "Aangevuld" in page and body["submission_id"] not in page
    again = post(local_system, body)
    assert (again.status_code, again.json()["reference"]) == (202, first.json()["reference"])
    assert registrations_count(local_system) == before + 1
    item = registration_item(local_system, first.json()["reference"])
    personal = crypto.decrypt_personal_data(
        item["personal"]["S"], item["pk"]["S"].removeprefix("REG#")
    )
    assert personal["description"] == body["description"]
