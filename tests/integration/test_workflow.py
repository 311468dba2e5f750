"""The follow-up on the local stack: one workflow per registration, executed by moto's
Step Functions interpreter, with the real consumers behind the template's queues."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import boto3
import pytest

from devstack.outbox import SentEmail
from devstack.stack import LocalSystem
from tests.conftest import SuiteLog
from tests.factories import PERSONAL_VALUES, registration, staff_member
from tests.integration.test_intake import post, registration_item
from vhcore.calendar import dutch_date
from vhcore.dal.services import aws_services
from vhcore.logic import cases
from vhcore.status import Status

pytestmark = pytest.mark.usefixtures("restore_clock")


def submit(system: LocalSystem, **overrides: Any) -> tuple[str, str]:
    """Register a case, let the stream, workflow and queues run; (reference, id)."""
    response = post(system, registration(**overrides))
    assert response.status_code == 202
    reference = response.json()["reference"]
    system.pump.drain(timeout=20)
    item = registration_item(system, reference)
    return reference, item["pk"]["S"].removeprefix("REG#")


def mails_about(system: LocalSystem, reference: str) -> list[SentEmail]:
    return [m for m in system.outbox() if reference in m.subject]


def execution(system: LocalSystem, registration_id: str) -> dict[str, Any]:
    sfn = boto3.client("stepfunctions", endpoint_url=system.endpoint)
    arn = system.stack.physical["Workflow"].attributes["Arn"]
    pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=arn)
    runs = [e for page in pages for e in page["executions"] if e["name"] == registration_id]
    assert len(runs) == 1, "exactly one workflow execution per registration"
    return dict(sfn.describe_execution(executionArn=runs[0]["executionArn"]))


def test_a_registration_gets_one_receipt_and_one_place_on_the_right_agenda(
    local_system: LocalSystem,
) -> None:
    reference, registration_id = submit(local_system)
    receipts = [m for m in mails_about(local_system, reference) if "Ontvangst" in m.subject]
    assert len(receipts) == 1
    assert receipts[0].to == (PERSONAL_VALUES["email"],)
    assert reference in receipts[0].body
    item = registration_item(local_system, reference)
    assert item["status"]["S"] == Status.SCHEDULED
    assert item["queue_pk"]["S"] == f"TRIAGE#{item['triage_date']['S']}"
    assert execution(local_system, registration_id)["status"] == "RUNNING"


def test_a_retried_stream_record_does_not_start_a_second_workflow(
    local_system: LocalSystem,
) -> None:
    from vhcore.logic.workflow import start_for

    _, registration_id = submit(local_system)
    services = aws_services()
    registration = services.store.get(registration_id)
    assert registration is not None
    start_for(services, registration)  # as a redelivered stream record would
    assert execution(local_system, registration_id)["status"] == "RUNNING"  # still exactly one


def test_no_contact_by_the_term_reminds_staff_then_escalates(local_system: LocalSystem) -> None:
    reference, _ = submit(local_system)
    assert not [m for m in mails_about(local_system, reference) if "Herinnering" in m.subject]
    local_system.clock.advance(days=8)  # past 5 working days, not yet past the escalation
    local_system.pump.drain(timeout=20)
    reminders = [m for m in mails_about(local_system, reference) if "Herinnering" in m.subject]
    assert len(reminders) == 1
    assert reminders[0].to == ("team@veiligheidshuis.example.org",)
    local_system.clock.advance(days=4)
    local_system.pump.drain(timeout=20)
    second = [m for m in mails_about(local_system, reference) if "Tweede" in m.subject]
    assert len(second) == 1


def test_recorded_contact_stops_the_reminder(local_system: LocalSystem) -> None:
    reference, registration_id = submit(local_system)
    cases.record_contact(
        aws_services(),
        registration_id,
        actor=staff_member("medewerker@test"),
        note="Gebeld",
    )
    local_system.clock.advance(days=14)
    local_system.pump.drain(timeout=20)
    subjects = [m.subject for m in mails_about(local_system, reference)]
    assert not [s for s in subjects if "Herinnering" in s]


def test_a_decision_sends_the_decision_notice_and_closing_ends_the_workflow(
    local_system: LocalSystem,
) -> None:
    reference, registration_id = submit(local_system)
    cases.record_contact(
        aws_services(),
        registration_id,
        actor=staff_member("medewerker@test"),
        note="Gebeld",
    )
    local_system.clock.advance(days=8)
    local_system.pump.drain(timeout=20)
    cases.decide(
        aws_services(),
        registration_id,
        actor=staff_member("procesregisseur@test"),
        outcome_id="voor-veiligheidshuis",
        advice="Casus komt in het ICO van volgende week.",
        process_director="P. Regisseur",
    )
    local_system.pump.drain(timeout=20)
    notices = [m for m in mails_about(local_system, reference) if "Besluit" in m.subject]
    assert len(notices) == 1
    assert "Wel voor het Veiligheidshuis" in notices[0].body
    assert "P. Regisseur" not in notices[0].body and "ICO van volgende" not in notices[0].body
    cases.close(
        aws_services(),
        registration_id,
        actor=staff_member("procesregisseur@test"),
        reason="Afgerond",
    )
    local_system.pump.drain(timeout=20)
    assert execution(local_system, registration_id)["status"] == "SUCCEEDED"
    item = registration_item(local_system, reference)
    closed = dt.datetime.fromisoformat(item["closed_at"]["S"])
    assert int(item["expires_at"]["N"]) > (closed + dt.timedelta(days=59 * 30)).timestamp()
    history = [event["M"]["to"]["S"] for event in item["history"]["L"]]
    assert history == ["scheduled", "scheduled", "decided", "closed"]


def test_a_decision_before_the_workflow_waits_for_it_is_not_lost(
    local_system: LocalSystem,
) -> None:
    reference, registration_id = submit(local_system)
    cases.decide(
        aws_services(),
        registration_id,
        actor=staff_member("procesregisseur@test"),
        outcome_id="niet-voor-veiligheidshuis",
        advice="Advies gegeven.",
        process_director="P. Regisseur",
    )
    local_system.clock.advance(days=8)
    local_system.pump.drain(timeout=20)
    subjects = [m.subject for m in mails_about(local_system, reference)]
    assert sum("Besluit" in s for s in subjects) == 1
    assert not [s for s in subjects if "Herinnering" in s]


def test_the_weekly_cutoff_fixes_the_agenda_and_tells_staff_the_count(
    local_system: LocalSystem,
) -> None:
    reference, _ = submit(local_system)
    item = registration_item(local_system, reference)
    triage_date = dt.date.fromisoformat(item["triage_date"]["S"])
    local_system.clock.advance(days=7)  # passes the Wednesday 12:00 cut-off of that meeting
    local_system.pump.drain(timeout=20)
    # Fixed once per meeting: an earlier test moving the clock may have sent it already.
    agendas = [
        m
        for m in local_system.outbox()
        if m.subject.startswith(f"Agenda triage {dutch_date(triage_date)}:")
    ]
    assert len(agendas) == 1, "one agenda e-mail per meeting"
    assert "aanmelding" in agendas[0].body
    assert agendas[0].to == ("team@veiligheidshuis.example.org",)
    for value in PERSONAL_VALUES.values():
        assert value not in agendas[0].body


def test_illegal_transitions_are_refused(local_system: LocalSystem) -> None:
    from vhcore.status import IllegalTransition

    _, registration_id = submit(local_system)
    with pytest.raises(IllegalTransition):
        cases.close(
            aws_services(),
            registration_id,
            actor=staff_member("medewerker@test"),
            reason="te vroeg",
        )


def test_the_workflow_carries_identifiers_only(local_system: LocalSystem) -> None:
    """Step Functions keeps an execution's input and every state's data for 90 days in
    plain text, outside our encryption: only identifiers and dates may travel there."""
    reference, registration_id = submit(local_system)
    sfn = boto3.client("stepfunctions", endpoint_url=local_system.endpoint)
    run = execution(local_system, registration_id)
    history = sfn.get_execution_history(executionArn=run["executionArn"], maxResults=1000)
    assert len(history["events"]) > 3, "the workflow has run several states"
    recorded = json.dumps([run, history["events"]], default=str)
    assert registration_id in recorded
    for value in PERSONAL_VALUES.values():
        assert value not in recorded
    receipt = next(m for m in mails_about(local_system, reference) if "Ontvangst" in m.subject)
    body = f"{receipt.subject}\n{receipt.body}"
    for key, value in PERSONAL_VALUES.items():
        if key not in {"email", "name"}:  # the registrant's own address and name may appear
            assert value not in body


def test_a_notification_that_fails_three_times_lands_in_the_dead_letter_queue(
    local_system: LocalSystem,
) -> None:
    reference, registration_id = submit(local_system)
    sqs = boto3.client("sqs", endpoint_url=local_system.endpoint)
    queue = local_system.stack.physical["NotifyQueue"].attributes["QueueUrl"]
    dead_letters = local_system.stack.physical["NotifyDeadLetterQueue"].attributes["QueueUrl"]
    sent_before = len(mails_about(local_system, reference))
    poison = {"kind": "receipt", "registration_id": "bestaat-niet"}
    for body in ({"kind": "receipt", "registration_id": registration_id}, poison):
        sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(body))
    for _ in range(4):  # each round the poison message is received and fails again
        local_system.pump.drain(timeout=20)
    assert len(mails_about(local_system, reference)) == sent_before + 1
    moved = sqs.receive_message(QueueUrl=dead_letters, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"]) for m in moved] == [poison]


def test_an_expired_registration_is_deleted_counted_and_its_reference_released(
    local_system: LocalSystem, suite_log: SuiteLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vhcore.log import metrics

    counted: list[str] = []
    original = metrics.add_metric

    def spy(name: str, unit: Any, value: float) -> None:
        counted.append(name)
        original(name=name, unit=unit, value=value)

    monkeypatch.setattr(metrics, "add_metric", spy)
    reference, registration_id = submit(local_system)
    dynamodb = boto3.client("dynamodb", endpoint_url=local_system.endpoint)
    table = local_system.stack.physical["RegistrationsTable"].ref
    dynamodb.update_item(
        TableName=table,
        Key={"pk": {"S": f"REG#{registration_id}"}, "sk": {"S": "REGISTRATION"}},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"N": "1000"}},
    )
    start = len(suite_log.lines)
    assert local_system.pump.sweep_ttl() >= 1
    local_system.pump.drain(timeout=20)
    remaining = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :a",
        ExpressionAttributeValues={":a": {"S": f"REG#{registration_id}"}},
    )["Items"]
    assert remaining == []
    claim = dynamodb.get_item(
        TableName=table, Key={"pk": {"S": f"REF#{reference}"}, "sk": {"S": "REFERENCE"}}
    )
    assert "Item" not in claim
    assert "registration expired and deleted" in "\n".join(suite_log.lines[start:])
    assert counted.count("RegistrationExpired") == 1
