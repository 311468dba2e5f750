"""The staff API through the local gateway, with the template's JWT authorizer and real
tokens from the emulator's user pool: who may do what, and every read of personal data
audited first."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
import requests

from devstack.stack import LocalSystem
from tests.conftest import still_valid
from tests.factories import PERSONAL_VALUES, registration, staff_member, working_day_ahead
from tests.integration.test_intake import post, registration_item, table_items
from tests.integration.test_local_auth import claims_of, mint, tokens_for
from vhcore.calendar import AMSTERDAM
from vhcore.dal.services import aws_services
from vhcore.logic import cases
from vhtools.template import http_routes, transformed

ALL = {"triage", "procesregie", "beheer"}
REFERENCE_ROUTE = "/api/admin/registrations/{reference}"

# What each group may do. A route in the template without a row here fails the matrix test.
# The least each group's job needs (docs/rights.md): beheer checks, it does not handle cases.
WORK = {"triage", "procesregie"}
MATRIX: dict[tuple[str, str], set[str]] = {
    ("GET", "/api/admin/me"): ALL,
    ("GET", "/api/admin/queue"): WORK,
    ("GET", "/api/admin/cases"): WORK,
    ("GET", "/api/admin/agenda/{triage_date}"): WORK,
    ("POST", f"{REFERENCE_ROUTE}/read"): WORK,
    ("POST", f"{REFERENCE_ROUTE}/contact"): WORK,
    ("POST", f"{REFERENCE_ROUTE}/information-request"): WORK,
    ("POST", f"{REFERENCE_ROUTE}/information-received"): WORK,
    ("POST", f"{REFERENCE_ROUTE}/schedule"): WORK,
    ("POST", f"{REFERENCE_ROUTE}/decision"): WORK,
    ("POST", f"{REFERENCE_ROUTE}/close"): {"procesregie"},
    ("POST", f"{REFERENCE_ROUTE}/plan"): {"procesregie"},
    ("POST", f"{REFERENCE_ROUTE}/export"): {"triage", "procesregie"},
    ("GET", f"{REFERENCE_ROUTE}/audit"): {"beheer"},
    ("POST", f"{REFERENCE_ROUTE}/erase"): {"beheer"},
    ("GET", "/api/admin/figures"): {"procesregie", "beheer"},
    ("GET", "/api/admin/audit"): {"beheer"},
}
# The query a GET route needs to answer 200.
QUERIES = {"/api/admin/audit": {"van": "2026-01", "tot": "2026-12"}}

READ = {"purpose_category": "triage", "purpose": "Voorbereiding triage"}
BODIES: dict[str, dict[str, Any]] = {
    "read": READ,
    "contact": {"reason": "Gebeld met de aanmelder"},
    "information-request": {"reason": "Graag de rol van de GGZ toelichten"},
    "information-received": {"reason": "Informatie telefonisch ontvangen"},
    "schedule": {"reason": "Op de agenda gezet", "triage_date": working_day_ahead()},
    "decision": {
        "outcome": "voor-veiligheidshuis",
        "advice": "Er komt een casusoverleg.",
        "process_director": "P. Regisseur",
    },
    "close": {"reason": "Afgerond na het overleg"},
    "export": {"purpose": "Overdracht aan het ketendossier"},
    "plan": {
        "goal": "De huur wordt weer betaald.",
        "case_director": "C. Regisseur",
        "actions": [{"text": "Budgetcoach regelen", "owner": "Wijkteam", "due": "2027-01-15"}],
    },
    "erase": {"category": "spam"},
}


class FreshTokens(dict[str, str]):
    """A real ID token per group, through the sign-in flow (PKCE) of the local stack, signed
    in again when the one kept runs out (five minutes on the simulated clock)."""

    def __init__(self, system: LocalSystem) -> None:
        super().__init__()
        self.system = system

    def __contains__(self, group: object) -> bool:
        return group in ALL

    def __getitem__(self, group: str) -> str:
        if group not in self.keys() or not still_valid(super().__getitem__(group)):
            self[group] = str(tokens_for(self.system, group)["id_token"])
        return super().__getitem__(group)


@pytest.fixture(scope="module")
def tokens(local_system: LocalSystem) -> dict[str, str]:
    return FreshTokens(local_system)


def variant(token: str, **changes: Any) -> str:
    claims = claims_of(token) | changes
    return mint({k: v for k, v in claims.items() if v is not None})


def new_case(system: LocalSystem) -> str:
    reference = str(post(system, registration()).json()["reference"])
    system.pump.drain(timeout=20)
    return reference


def prepared(system: LocalSystem, action: str) -> str:
    """A case in the state the action needs."""
    reference = new_case(system)
    registration_id = registration_item(system, reference)["pk"]["S"].removeprefix("REG#")
    if action == "information-received":
        cases.request_information(
            aws_services(),
            registration_id,
            actor=staff_member("test"),
            reason="voorbereiding",
        )
    if action in ("close", "plan"):
        cases.decide(
            aws_services(),
            registration_id,
            actor=staff_member("test"),
            outcome_id="voor-veiligheidshuis" if action == "plan" else "niet-voor-veiligheidshuis",
            advice="Advies",
            process_director="P. Regisseur",
        )
    return reference


def call(
    system: LocalSystem, method: str, path: str, token: str | None, reference: str = ""
) -> requests.Response:
    action = path.rsplit("/", 1)[1]
    url = system.url + path.format(reference=reference, triage_date="2026-12-03")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if method == "GET":
        return requests.get(url, headers=headers, params=QUERIES.get(path), timeout=30)
    return requests.post(url, headers=headers, json=BODIES.get(action, {}), timeout=30)


def test_the_matrix_covers_every_protected_route_of_the_template() -> None:
    protected = {(r.method, r.path) for r in http_routes(transformed()) if r.authorizer}
    assert protected == set(MATRIX)


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_authorization_matrix(
    local_system: LocalSystem, tokens: dict[str, str], method: str, path: str
) -> None:
    allowed = MATRIX[(method, path)]
    reference = new_case(local_system) if "{reference}" in path else ""
    some = tokens["triage"]
    expired = variant(some, exp=int(time.time()) - 60, iat=int(time.time()) - 3700)
    wrong_audience = variant(some, aud="een-andere-client")
    unauthenticated: dict[str, str | None] = {
        "no token": None,
        "expired": expired,
        "wrong audience": wrong_audience,
    }
    for case, token in unauthenticated.items():
        response = call(local_system, method, path, token, reference)
        assert response.status_code == 401, f"{case}: {response.status_code}"

    outsiders = (ALL - allowed) or {"no group"}
    for group in outsiders:
        token = tokens[group] if group in tokens else variant(some, **{"cognito:groups": None})
        response = call(local_system, method, path, token, reference)
        assert response.status_code == 403, f"{group}: {response.status_code}"
        assert response.json()["message"] == "U mag dit niet doen met uw rol."

    for group in allowed:
        action = path.rsplit("/", 1)[1]
        target = prepared(local_system, action) if "{reference}" in path else ""
        response = call(local_system, method, path, tokens[group], target)
        assert 200 <= response.status_code < 300, f"{group}: {response.text[:200]}"
        assert response.headers["Cache-Control"].startswith("no-store")


def audit_trail(system: LocalSystem, token: str, reference: str) -> list[dict[str, Any]]:
    response = call(system, "GET", f"{REFERENCE_ROUTE}/audit", token, reference)
    assert response.status_code == 200
    trail: list[dict[str, Any]] = response.json()
    return trail


def test_reading_a_case_needs_a_purpose_category_and_is_never_a_get(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    reference = new_case(local_system)
    url = f"{local_system.url}/api/admin/registrations/{reference}"
    headers = {"Authorization": f"Bearer {tokens['triage']}"}
    assert requests.get(url, headers=headers, timeout=30).status_code == 404
    read = f"{url}/read"
    assert requests.get(read, headers=headers, timeout=30).status_code == 404
    assert requests.post(read, headers=headers, json={}, timeout=30).status_code == 422
    unknown = {"purpose_category": "nieuwsgierigheid"}
    assert requests.post(read, headers=headers, json=unknown, timeout=30).status_code == 422
    trail = audit_trail(local_system, tokens["beheer"], reference)
    assert [r["action"] for r in trail] == ["audit-inzien"]


@pytest.mark.parametrize("date", ["morgen", "2026-13-01", "2026-02-30"])
def test_an_agenda_for_a_date_that_does_not_exist_is_refused_in_dutch(
    local_system: LocalSystem, tokens: dict[str, str], date: str
) -> None:
    response = requests.get(
        f"{local_system.url}/api/admin/agenda/{date}",
        headers={"Authorization": f"Bearer {tokens['triage']}"},
        timeout=30,
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "path.triage_date"
    assert error["message"] == "Vul de datum van de triage in als dag-maand-jaar, zoals 15-03-1984."


def test_reading_a_case_writes_one_audit_record_first_and_returns_the_decrypted_data(
    local_system: LocalSystem, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from vhcore.dal.crypto import KmsCipher
    from vhcore.dal.dynamodb import DynamoStore

    reference = new_case(local_system)
    order: list[str] = []
    original_append, original_decrypt = DynamoStore.append_audit, KmsCipher.decrypt

    def spy_append(*args: Any, **kwargs: Any) -> None:
        order.append("audit")
        original_append(*args, **kwargs)

    def spy_decrypt(*args: Any, **kwargs: Any) -> Any:
        order.append("decrypt")
        return original_decrypt(*args, **kwargs)

    monkeypatch.setattr(DynamoStore, "append_audit", spy_append)
    monkeypatch.setattr(KmsCipher, "decrypt", spy_decrypt)

    response = call(local_system, "POST", f"{REFERENCE_ROUTE}/read", tokens["triage"], reference)
    assert response.status_code == 200
    case = response.json()
    assert order[:2] == ["audit", "decrypt"]
    assert case["registration"]["persons"][0]["last_name"] == PERSONAL_VALUES["last_name"]
    assert case["registration"]["registrant"]["email"] == PERSONAL_VALUES["email"]
    assert case["entry"]["reference"] == reference
    trail = audit_trail(local_system, tokens["beheer"], reference)
    assert [r["action"] for r in trail] == ["inzien", "audit-inzien"]
    assert trail[0]["purpose_category"] == "triage"
    assert trail[0]["purpose"] == "Voorbereiding triage"
    assert trail[0]["actor"] == local_system.staff_users["triage"][0]
    assert trail[0]["actor_id"] not in ("", trail[0]["actor"])  # the sub, not the e-mail


def test_the_queue_shows_clear_fields_only_sorted_by_urgency(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    urgent = str(
        post(
            local_system,
            registration(urgency="spoed", urgency_reason="Dreigende uitzetting morgen"),
        ).json()["reference"]
    )
    local_system.pump.drain(timeout=20)
    triage_date = registration_item(local_system, urgent)["triage_date"]["S"]
    response = requests.get(
        f"{local_system.url}/api/admin/queue",
        params={"triage_date": triage_date, "sort": "urgency"},
        headers={"Authorization": f"Bearer {tokens['triage']}"},
        timeout=30,
    )
    assert response.status_code == 200
    entries = response.json()
    assert entries[0]["urgency"] == "spoed"
    assert urgent in {e["reference"] for e in entries}
    for value in PERSONAL_VALUES.values():
        assert value not in response.text


def test_a_decision_through_the_api_sends_the_decision_notice(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    reference = new_case(local_system)
    response = call(
        local_system, "POST", f"{REFERENCE_ROUTE}/decision", tokens["procesregie"], reference
    )
    assert response.status_code == 200
    assert response.json()["entry"]["status"] == "decided"
    # The notice goes out when the decision is recorded, without any time passing.
    local_system.pump.drain(timeout=20)
    notices = [
        m for m in local_system.outbox() if m.subject == f"Besluit over uw aanmelding {reference}"
    ]
    assert len(notices) == 1
    refused = call(local_system, "POST", f"{REFERENCE_ROUTE}/decision", tokens["triage"], reference)
    assert refused.status_code == 409
    assert "kan een aanmelding niet naar" in refused.json()["message"]


def test_figures_count_without_personal_data(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    new_case(local_system)
    response = requests.get(
        f"{local_system.url}/api/admin/figures",
        headers={"Authorization": f"Bearer {tokens['beheer']}"},
        timeout=30,
    )
    assert response.status_code == 200
    figures = response.json()
    assert figures["total"] >= 1
    assert sum(figures["per_month"].values()) == figures["total"]
    assert "politie" in figures["per_partner"]
    for value in PERSONAL_VALUES.values():
        assert value not in response.text


def test_the_store_selects_a_years_registrations_by_moment_in_any_zone(
    local_system: LocalSystem,
) -> None:
    """The figures ask for a year from midnight in Amsterdam; the table keeps UTC text."""
    reference = new_case(local_system)
    registration_id = registration_item(local_system, reference)["pk"]["S"].removeprefix("REG#")
    store = aws_services().store
    stored = store.get(registration_id)
    assert stored is not None
    received = stored.received_at.astimezone(AMSTERDAM)
    second = dt.timedelta(seconds=1)

    def found(since: dt.datetime, until: dt.datetime) -> bool:
        return registration_id in {r.id for r in store.received_between(since, until)}

    assert found(received, received + second)  # from: inclusive, bounds in Amsterdam time
    assert not found(received - dt.timedelta(hours=2), received)  # until: exclusive
    assert found(received.astimezone(dt.UTC) - second, received.astimezone(dt.UTC) + second)


def test_an_outcome_this_house_does_not_have_is_refused_on_the_field(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    reference = new_case(local_system)
    response = requests.post(
        f"{local_system.url}{REFERENCE_ROUTE.format(reference=reference)}/decision",
        headers={"Authorization": f"Bearer {tokens['procesregie']}"},
        json=BODIES["decision"] | {"outcome": "bestaat-niet"},
        timeout=30,
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "outcome",
            "code": "vh_outcome",
            "message": "Kies een uitkomst van dit Veiligheidshuis.",
        }
    ]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://aanvaller.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "https://sub.veiligheidshuis.example"},
    ],
    ids=["other origin", "cross-site fetch", "same-site but other origin"],
)
def test_a_request_from_another_sites_page_is_refused_and_reads_nothing(
    local_system: LocalSystem, tokens: dict[str, str], headers: dict[str, str]
) -> None:
    reference = new_case(local_system)
    url = f"{local_system.url}{REFERENCE_ROUTE.format(reference=reference)}/read"
    auth = {"Authorization": f"Bearer {tokens['triage']}"}
    refused = requests.post(url, headers=auth | headers, json=READ, timeout=30)
    assert refused.status_code == 403
    assert refused.json()["message"].startswith("Dit verzoek komt niet van de beheerpagina.")
    assert [r["action"] for r in audit_trail(local_system, tokens["beheer"], reference)] == [
        "audit-inzien"
    ]
    same_site = {"Origin": local_system.url, "Sec-Fetch-Site": "same-origin"}
    assert requests.post(url, headers=auth | same_site, json=READ, timeout=30).status_code == 200


def test_erasing_a_case_leaves_nothing_of_it_but_the_audit_record_of_why(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    import datetime as dt

    import boto3

    from tests.integration.test_intake import table_items
    from tests.integration.test_workflow import execution
    from vhcore.model import AgendaRecord

    reference = new_case(local_system)
    registration_id = registration_item(local_system, reference)["pk"]["S"].removeprefix("REG#")
    # An agenda fixed with this case on it (as the weekly cut-off would).
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    aws_services().store.fix_agenda(
        AgendaRecord(
            triage_date=dt.date(2031, 1, 7),
            count=2,
            registration_ids=("another-case", registration_id),
            fixed_at=now,
            expires_at=int(now.timestamp()) + 86_400,
        )
    )

    erase = call(local_system, "POST", f"{REFERENCE_ROUTE}/erase", tokens["beheer"], reference)
    assert erase.status_code == 200
    assert erase.json() == {"reference": reference, "erased": True}
    local_system.pump.drain(timeout=20)

    everything = json.dumps(table_items(local_system))
    assert registration_id not in everything and reference not in everything
    assert "another-case" in everything  # the agenda stays, without the erased case
    assert execution(local_system, registration_id)["status"] == "ABORTED"
    dynamodb = boto3.client("dynamodb", endpoint_url=local_system.endpoint)
    records = dynamodb.query(
        TableName=local_system.stack.physical["AuditTable"].ref,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"REG#{registration_id}"}},
    )["Items"]
    erased = [r for r in records if r["action"]["S"] == "verwijderen"]
    assert len(erased) == 1
    assert erased[0]["purpose_category"]["S"] == "spam"
    assert "purpose" not in erased[0]
    again = call(local_system, "POST", f"{REFERENCE_ROUTE}/read", tokens["procesregie"], reference)
    assert again.status_code == 404


def items_of(system: LocalSystem, reference: str) -> list[dict[str, Any]]:
    """Everything the registrations table holds for one case (history entries included)."""
    pk = registration_item(system, reference)["pk"]["S"]
    return sorted(
        (item for item in table_items(system) if item["pk"]["S"] == pk),
        key=lambda item: str(item["sk"]["S"]),
    )


def post_raw(
    system: LocalSystem, token: str, reference: str, action: str, data: str
) -> requests.Response:
    return requests.post(
        f"{system.url}{REFERENCE_ROUTE.format(reference=reference)}/{action}",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        data=data.encode(),
        timeout=30,
    )


DUPLICATE = "Een veld staat twee keer in de gegevens. Stuur elk veld één keer."
UNREADABLE = "Het formulier kon niet worden gelezen. Probeer het opnieuw."
UNREADABLE_BODIES = {
    "a key twice": ('{"reason": "Gebeld met de aanmelder", "reason": "Anders"}', DUPLICATE),
    "a key twice, deeper": ('{"reason": "Gebeld", "x": [{"a": 1, "a": 2}]}', DUPLICATE),
    "nested 40 deep": ('{"reason": ' + "[" * 40 + "]" * 40 + "}", UNREADABLE),
    "nested 30,000 deep": ("[" * 30_000 + "]" * 30_000, UNREADABLE),
}


@pytest.mark.parametrize(
    ("body", "message"), UNREADABLE_BODIES.values(), ids=UNREADABLE_BODIES.keys()
)
def test_a_staff_body_with_a_key_twice_or_nested_deeply_is_refused_and_nothing_changes(
    local_system: LocalSystem, tokens: dict[str, str], body: str, message: str
) -> None:
    reference = new_case(local_system)
    before = items_of(local_system, reference)
    response = post_raw(local_system, tokens["triage"], reference, "contact", body)
    assert response.status_code == 422
    assert response.json()["message"] == "Niet alle gegevens zijn goed ingevuld."
    assert [e["message"] for e in response.json()["errors"]] == [message]
    assert items_of(local_system, reference) == before
    # (reading the trail is itself audited: that record is the only one)
    assert [r["action"] for r in audit_trail(local_system, tokens["beheer"], reference)] == [
        "audit-inzien"
    ]


def test_a_staff_body_over_64_kb_is_refused_with_413_and_nothing_changes(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    reference = new_case(local_system)
    before = items_of(local_system, reference)
    body = json.dumps({"reason": "x" * (65 * 1024)})
    response = post_raw(local_system, tokens["triage"], reference, "contact", body)
    assert response.status_code == 413
    assert response.json()["message"] == (
        "De tekst is te lang om te versturen. Maak de tekst korter en probeer het opnieuw."
    )
    assert items_of(local_system, reference) == before


@pytest.mark.parametrize("purpose", ["Triage\u200b", "Tri\x00age", "Tri\u202eage"])
def test_a_typed_purpose_with_control_characters_is_refused_and_nothing_is_read(
    local_system: LocalSystem, tokens: dict[str, str], purpose: str
) -> None:
    reference = new_case(local_system)
    response = requests.post(
        f"{local_system.url}{REFERENCE_ROUTE.format(reference=reference)}/read",
        headers={"Authorization": f"Bearer {tokens['triage']}"},
        json={"purpose_category": "triage", "purpose": purpose},
        timeout=30,
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "purpose"
    assert error["message"].startswith("Gebruik voor ")
    assert PERSONAL_VALUES["last_name"] not in response.text
    trail = audit_trail(local_system, tokens["beheer"], reference)
    assert [r["action"] for r in trail] == ["audit-inzien"]


def test_a_purpose_of_spaces_is_no_typed_purpose(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    reference = new_case(local_system)
    response = requests.post(
        f"{local_system.url}{REFERENCE_ROUTE.format(reference=reference)}/read",
        headers={"Authorization": f"Bearer {tokens['triage']}"},
        json={"purpose_category": "contact", "purpose": "      "},
        timeout=30,
    )
    assert response.status_code == 200
    [read] = [
        r for r in audit_trail(local_system, tokens["beheer"], reference) if r["action"] == "inzien"
    ]
    assert read["purpose_category"] == "contact"
    assert read["purpose"] is None


@pytest.mark.parametrize("action", ["contact", "information-request", "schedule", "decision"])
def test_a_note_of_spaces_is_refused_and_nothing_changes(
    local_system: LocalSystem, tokens: dict[str, str], action: str
) -> None:
    reference = new_case(local_system)
    before = items_of(local_system, reference)
    field = "advice" if action == "decision" else "reason"
    body = BODIES[action] | {field: "      "}
    response = post_raw(local_system, tokens["triage"], reference, action, json.dumps(body))
    assert response.status_code == 422
    label = "het advies" if field == "advice" else "de toelichting"
    assert response.json()["errors"] == [
        {
            "field": field,
            "code": "string_too_short",
            "message": f"Schrijf voor {label} minstens 3 tekens.",
        }
    ]
    assert items_of(local_system, reference) == before


def test_a_changed_e_mail_does_not_change_who_the_audit_log_says_acted(
    local_system: LocalSystem, tokens: dict[str, str]
) -> None:
    """The audit identity is the token's sub: a user whose e-mail claim changes (the pool
    lets nobody change their own, but an administrator might) is still the same person."""
    reference = new_case(local_system)
    original = tokens["triage"]
    renamed = variant(original, email="iemand.anders@politie.example.org")
    for token in (original, renamed):
        response = call(local_system, "POST", f"{REFERENCE_ROUTE}/read", token, reference)
        assert response.status_code == 200
    reads = [
        r for r in audit_trail(local_system, tokens["beheer"], reference) if r["action"] == "inzien"
    ]
    assert len(reads) == 2
    assert reads[0]["actor_id"] == reads[1]["actor_id"] == claims_of(original)["sub"]
    assert [r["actor"] for r in reads] == [
        claims_of(original)["email"],
        "iemand.anders@politie.example.org",
    ]
    access = tokens_for(local_system, "triage")["access_token"]
    refused = call(local_system, "POST", f"{REFERENCE_ROUTE}/read", str(access), reference)
    assert refused.status_code == 403  # one kind of token: the ID token
