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
from vhcore.calendar import (
    AMSTERDAM,
    add_term,
    decision_due,
    dutch_date,
    is_working_day,
    next_working_day,
    reminder_at,
    to_local,
)
from vhcore.dal.services import aws_services
from vhcore.house import current_house
from vhcore.logic import cases
from vhcore.status import Status

pytestmark = pytest.mark.usefixtures("restore_clock")


def submit(system: LocalSystem, **overrides: Any) -> tuple[str, str]:
    """Register a case, let the stream, workflow and queues run; (reference, id)."""
    response = post(system, registration(**overrides))
    assert response.status_code == 202
    reference = response.json()["reference"]
    system.pump.drain(timeout=60)
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


STAFF = ("team@veiligheidshuis.example.org",)
LEAD = ("teamleider@veiligheidshuis.example.org",)  # the template's EscalationMailbox


def advance_to(system: LocalSystem, moment: dt.datetime) -> None:
    """Move the simulated clock to ``moment`` (if it is ahead) and let everything run."""
    now = system.clock.now()
    if moment > now:
        system.clock.advance(moment - now)
    system.pump.drain(timeout=60)


def stored_moment(system: LocalSystem, reference: str, name: str) -> dt.datetime:
    return dt.datetime.fromisoformat(registration_item(system, reference)[name]["S"])


def subjects_with(system: LocalSystem, reference: str, words: str) -> list[SentEmail]:
    return [m for m in mails_about(system, reference) if m.subject.startswith(words)]


def test_staff_are_reminded_before_the_promise_lapses_and_someone_else_after(
    local_system: LocalSystem,
) -> None:
    reference, _ = submit(local_system)
    promised = stored_moment(local_system, reference, "respond_by")
    reminder = reminder_at(promised, current_house())
    advance_to(local_system, reminder - dt.timedelta(minutes=1))
    assert subjects_with(local_system, reference, "Herinnering: contact") == []
    advance_to(local_system, reminder + dt.timedelta(minutes=1))
    (before,) = subjects_with(local_system, reference, "Herinnering: contact")
    assert before.to == STAFF
    assert dutch_date(promised) in before.subject
    assert subjects_with(local_system, reference, "Termijn verlopen") == []
    advance_to(local_system, promised + dt.timedelta(minutes=1))
    (after,) = subjects_with(local_system, reference, "Termijn verlopen: nog geen contact")
    assert after.to == LEAD
    assert "Wat u nu doet:" in after.body
    assert len(subjects_with(local_system, reference, "Herinnering: contact")) == 1  # once


def test_recorded_contact_stops_the_reminder(local_system: LocalSystem) -> None:
    reference, registration_id = submit(local_system)
    cases.record_contact(
        aws_services(),
        registration_id,
        actor=staff_member("medewerker@test"),
        note="Gebeld",
    )
    local_system.clock.advance(days=14)
    local_system.pump.drain(timeout=60)
    assert subjects_with(local_system, reference, "Herinnering: contact") == []
    assert subjects_with(local_system, reference, "Termijn verlopen: nog geen contact") == []


def test_a_decision_on_day_zero_is_sent_on_day_zero_and_closing_ends_the_workflow(
    local_system: LocalSystem,
) -> None:
    reference, registration_id = submit(local_system)
    day_zero = local_system.clock.now()
    cases.decide(
        aws_services(),
        registration_id,
        actor=staff_member("procesregisseur@test"),
        outcome_id="voor-veiligheidshuis",
        advice="Casus komt in het ICO van volgende week.",
        process_director="P. Regisseur",
    )
    local_system.pump.drain(timeout=60)
    assert local_system.clock.now() - day_zero < dt.timedelta(minutes=1)  # no time passed
    notices = [m for m in mails_about(local_system, reference) if "Besluit" in m.subject]
    assert len(notices) == 1
    assert "Wel voor het Veiligheidshuis" in notices[0].body
    assert "P. Regisseur" not in notices[0].body and "ICO van volgende" not in notices[0].body
    assert execution(local_system, registration_id)["status"] == "RUNNING"
    cases.close(
        aws_services(),
        registration_id,
        actor=staff_member("procesregisseur@test"),
        reason="Afgerond",
    )
    local_system.pump.drain(timeout=60)
    assert execution(local_system, registration_id)["status"] == "SUCCEEDED"
    item = registration_item(local_system, reference)
    closed = dt.datetime.fromisoformat(item["closed_at"]["S"])
    assert int(item["expires_at"]["N"]) > (closed + dt.timedelta(days=59 * 30)).timestamp()
    history = [event["M"]["to"]["S"] for event in item["history"]["L"]]
    assert history == ["scheduled", "decided", "closed"]
    assert len([m for m in mails_about(local_system, reference) if "Besluit" in m.subject]) == 1


def test_a_decision_overdue_after_the_triage_is_reminded_then_escalated(
    local_system: LocalSystem,
) -> None:
    reference, registration_id = submit(local_system)
    cases.record_contact(
        aws_services(), registration_id, actor=staff_member("medewerker@test"), note="Gebeld"
    )
    triage = dt.date.fromisoformat(registration_item(local_system, reference)["triage_date"]["S"])
    due = decision_due(triage, current_house())
    advance_to(local_system, reminder_at(due, current_house()) + dt.timedelta(minutes=1))
    (before,) = subjects_with(local_system, reference, "Herinnering: besluit nodig")
    assert before.to == STAFF
    assert subjects_with(local_system, reference, "Termijn verlopen: nog geen besluit") == []
    advance_to(local_system, due + dt.timedelta(minutes=1))
    (after,) = subjects_with(local_system, reference, "Termijn verlopen: nog geen besluit")
    assert after.to == LEAD


def test_an_unanswered_information_request_is_reminded(local_system: LocalSystem) -> None:
    reference, registration_id = submit(local_system)
    asked = cases.request_information(
        aws_services(), registration_id, actor=staff_member("medewerker@test"), reason="Wie?"
    )
    local_system.pump.drain(timeout=60)
    lapses = add_term(asked.history[-1].at, current_house().follow_up.information_within)
    advance_to(local_system, lapses - dt.timedelta(minutes=1))
    assert subjects_with(local_system, reference, "Herinnering: informatievraag") == []
    advance_to(local_system, lapses + dt.timedelta(minutes=1))
    (reminder,) = subjects_with(local_system, reference, "Herinnering: informatievraag")
    assert reminder.to == STAFF


def test_an_urgent_registration_alerts_staff_at_once_without_personal_data(
    local_system: LocalSystem,
) -> None:
    received = local_system.clock.now()
    reference, _ = submit(
        local_system, urgency="spoed", urgency_reason="Dreigende uitzetting morgen."
    )
    assert local_system.clock.now() - received < dt.timedelta(minutes=1)
    (alert,) = subjects_with(local_system, reference, "Spoed: nieuwe aanmelding")
    assert alert.to == STAFF
    assert "Politie" in alert.body  # the organisation, no person
    for value in [*PERSONAL_VALUES.values(), "Dreigende uitzetting"]:
        assert value not in alert.subject + alert.body
    # And it gets the house's urgent term, not the ordinary one
    promised = stored_moment(local_system, reference, "respond_by")
    assert promised == add_term(
        stored_moment(local_system, reference, "received_at"),
        current_house().follow_up.urgent_term,
    )


def test_a_new_registration_is_announced_to_staff(local_system: LocalSystem) -> None:
    reference, _ = submit(local_system)
    (announced,) = subjects_with(local_system, reference, "Nieuwe aanmelding")
    assert announced.to == STAFF
    for value in PERSONAL_VALUES.values():
        assert value not in announced.subject + announced.body


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
    local_system.pump.drain(timeout=60)
    subjects = [m.subject for m in mails_about(local_system, reference)]
    assert sum("Besluit" in s for s in subjects) == 1
    assert not [s for s in subjects if "Herinnering" in s or "Termijn verlopen" in s]


def test_the_weekly_cutoff_fixes_the_agenda_and_tells_staff_the_count(
    local_system: LocalSystem,
) -> None:
    reference, _ = submit(local_system)
    item = registration_item(local_system, reference)
    triage_date = dt.date.fromisoformat(item["triage_date"]["S"])
    local_system.clock.advance(days=7)  # passes the Wednesday 12:00 cut-off of that meeting
    local_system.pump.drain(timeout=60)
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
        local_system.pump.drain(timeout=60)
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
    local_system.pump.drain(timeout=60)
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


def test_the_daily_digest_runs_on_its_schedule_with_the_agenda_role(
    local_system: LocalSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A house announcing daily (Sittard's file) gets one digest a working day: the schedule
    of the template invokes the agenda function, whose role may read the new registrations."""
    reference, _ = submit(local_system)
    schedule = local_system.pump.schedules["AgendaFunctionDailyDigest"]
    assert schedule.input is not None and json.loads(schedule.input) == {"job": "digest"}
    monkeypatch.setenv("VH_HOUSE", "sittard")
    current_house.cache_clear()
    try:
        now = local_system.clock.now()
        # the first digest after the registration just made: the next 08:00 on a working day
        local = to_local(now)
        day = local.date()
        if not is_working_day(day) or local.time() >= dt.time(8, 0):
            day = next_working_day(day)
        advance_to(local_system, dt.datetime.combine(day, dt.time(8, 1), tzinfo=AMSTERDAM))
    finally:
        monkeypatch.delenv("VH_HOUSE")
        current_house.cache_clear()
    digests = [
        m
        for m in local_system.outbox()
        if m.subject.startswith(f"Nieuwe aanmeldingen van {dutch_date(day)}")
    ]
    assert len(digests) == 1
    assert reference in digests[0].body
    assert digests[0].to == STAFF
    for value in PERSONAL_VALUES.values():
        assert value not in digests[0].body
