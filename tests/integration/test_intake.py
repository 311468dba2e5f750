"""The first vertical slice on the local stack: form body -> API -> encrypted item."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
import requests

from devstack.stack import LocalSystem
from tests.conftest import SuiteLog
from tests.factories import PERSONAL_VALUES, registration
from vhcore.dal.crypto import decrypt_personal_data
from vhcore.reference import is_reference


def post(system: LocalSystem, body: Any, **headers: str) -> requests.Response:
    return requests.post(
        f"{system.url}/api/registrations",
        data=body if isinstance(body, (str, bytes)) else json.dumps(body),
        headers={"Content-Type": "application/json", **headers},
        timeout=30,
    )


def table_items(system: LocalSystem) -> list[dict[str, Any]]:
    dynamodb = boto3.client("dynamodb", endpoint_url=system.endpoint)
    name = system.stack.physical["RegistrationsTable"].ref
    items: list[dict[str, Any]] = dynamodb.scan(TableName=name, ConsistentRead=True)["Items"]
    return items


def registration_item(system: LocalSystem, reference: str) -> dict[str, Any]:
    for item in table_items(system):
        if item["sk"]["S"] == "REGISTRATION" and item["reference"]["S"] == reference:
            return item
    raise AssertionError(f"no registration item for {reference}")


def test_a_valid_registration_is_received_with_a_reference(local_system: LocalSystem) -> None:
    response = post(local_system, registration())
    assert response.status_code == 202
    body = response.json()
    assert is_reference(body["reference"])
    assert body["received_at"].endswith("Z")
    assert response.headers["Cache-Control"] == "no-store"


def test_the_stored_item_holds_no_personal_data_in_clear(local_system: LocalSystem) -> None:
    reference = post(local_system, registration()).json()["reference"]
    item = registration_item(local_system, reference)
    stored = json.dumps(item)
    for value in [*PERSONAL_VALUES.values(), "98765432", "1984-03-15"]:
        assert value not in stored
    assert item["status"]["S"] == "received"
    assert item["house"]["S"] == "voorbeeldregio"
    assert item["registrant_organisation"]["S"] == "politie"
    assert item["address_matches_organisation"]["BOOL"] is True


def test_the_personal_data_decrypts_only_with_its_registration_id(
    local_system: LocalSystem,
) -> None:
    reference = post(local_system, registration()).json()["reference"]
    item = registration_item(local_system, reference)
    registration_id = item["pk"]["S"].removeprefix("REG#")
    plain = decrypt_personal_data(item["personal"]["S"], registration_id)
    assert plain["registrant"]["name"] == PERSONAL_VALUES["name"]
    assert plain["persons"][0]["last_name"] == PERSONAL_VALUES["last_name"]
    assert plain["description"] == PERSONAL_VALUES["description"]
    with pytest.raises(Exception, match="decrypting personal data failed"):
        decrypt_personal_data(item["personal"]["S"], "another-registration")


def test_an_unknown_sender_domain_is_accepted_but_flagged(local_system: LocalSystem) -> None:
    body = registration()
    body["registrant"]["email"] = "iemand@gmail.example"
    reference = post(local_system, body).json()["reference"]
    assert (
        registration_item(local_system, reference)["address_matches_organisation"]["BOOL"] is False
    )


def test_an_invalid_registration_gets_every_problem_in_dutch(local_system: LocalSystem) -> None:
    before = len(table_items(local_system))
    body = registration(description="kort")
    body["registrant"]["email"] = "geen-adres"
    del body["persons"][0]["first_name"]
    response = post(local_system, body)
    assert response.status_code == 422
    problems = {p["field"]: p for p in response.json()["errors"]}
    assert problems["description"]["message"].startswith("Schrijf voor de beschrijving")
    assert problems["registrant.email"]["message"].startswith("Vul een geldig e-mailadres in")
    assert problems["persons.0.first_name"]["message"] == "Vul de voornaam van betrokkene 1 in."
    assert response.json()["message"] == "Niet alle gegevens zijn goed ingevuld."
    assert "geen-adres" not in response.text
    assert len(table_items(local_system)) == before


@pytest.mark.parametrize(
    "body",
    ["{dit is geen json", "[" * 20_000 + "]" * 20_000, "[1, 2]", '"tekst"', "null", "   "],
    ids=["broken", "nested-deeper-than-python's-stack", "array", "string", "null", "blank"],
)
def test_a_body_that_is_not_a_json_object_gets_a_dutch_answer(
    local_system: LocalSystem, body: str
) -> None:
    response = post(local_system, body)
    assert response.status_code == 422
    answer = response.json()
    assert answer["message"] == "Niet alle gegevens zijn goed ingevuld."
    assert [e["field"] for e in answer["errors"]] == ["body"]
    assert answer["correlation_id"]


def test_failing_storage_gives_503_and_stores_nothing(
    local_system: LocalSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = len(table_items(local_system))
    monkeypatch.setenv("REGISTRATIONS_TABLE", "a-table-that-does-not-exist")
    response = post(local_system, registration())
    assert response.status_code == 503
    assert "Probeer het later opnieuw" in response.json()["message"]
    assert "Traceback" not in response.text
    monkeypatch.undo()
    assert len(table_items(local_system)) == before


def test_the_logs_contain_no_submitted_value(
    local_system: LocalSystem, suite_log: SuiteLog
) -> None:
    start = len(suite_log.lines)
    post(local_system, registration())
    invalid = registration(description="kort")
    invalid["registrant"]["phone"] = "Quirijntje-belt"
    post(local_system, invalid)
    logs = "\n".join(suite_log.lines[start:])
    assert "registration stored" in logs and "invalid request" in logs
    for value in [*PERSONAL_VALUES.values(), "Quirijntje-belt"]:
        assert value not in logs


def test_an_unknown_api_path_is_404(local_system: LocalSystem) -> None:
    response = requests.get(f"{local_system.url}/api/bestaat-niet", timeout=10)
    assert response.status_code == 404


def test_every_item_that_names_a_registration_expires(local_system: LocalSystem) -> None:
    """The registration, its reference claim (which holds its id) and the audit records all
    carry a TTL: nothing that points at a case outlives every period it can be kept."""
    reference = post(local_system, registration()).json()["reference"]
    registration_id = registration_item(local_system, reference)["pk"]["S"].removeprefix("REG#")
    naming = [
        item
        for item in table_items(local_system)
        if registration_id in json.dumps(item) or reference in json.dumps(item)
    ]
    assert {item["sk"]["S"] for item in naming} >= {"REGISTRATION", "REFERENCE"}
    assert all("expires_at" in item for item in naming)
