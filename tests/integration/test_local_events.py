"""The local stack runs the template's event sources: queues with dead-letter queues, the
registrations stream with its filter, schedules and TTL on a simulated clock, and the state
machine executed by moto, with sent e-mails in a local outbox."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import boto3
import pytest
import requests
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from devstack.events import TTL_IDENTITY, EventPump, matches
from devstack.gateway import LocalGateway
from devstack.provision import Stack, client, provision
from devstack.stack import LocalSystem
from tests.factories import registration
from tests.waiting import wait_until
from vhtools.template import resources, transformed


@pytest.fixture(scope="module")
def copy_stack(local_system: LocalSystem) -> Stack:
    """A second copy of the template's resources on the same emulator, for tests that put
    fake handlers behind the template's mappings without disturbing the main stack."""
    parameters = {"HouseName": "voorbeeldregio", "Stage": "test"}
    return provision(transformed(), local_system.endpoint, parameters, stack_name="vh-events")


@pytest.fixture
def copy_pump(copy_stack: Stack, local_system: LocalSystem) -> EventPump:
    """The template's mappings on the copy, each handler a fake until a test sets one."""

    def unexpected(event: dict[str, Any], context: Any) -> None:
        raise AssertionError("no handler set for this function in the test")

    fakes = dict.fromkeys(copy_stack.functions, unexpected)
    return EventPump(copy_stack, transformed(), clock=local_system.clock, handlers=fakes)


def test_queues_state_machine_stream_and_mail_come_from_the_template(
    local_system: LocalSystem,
) -> None:
    template = transformed()
    physical = local_system.stack.physical
    sqs = client("sqs", local_system.endpoint)
    for logical_id, props in resources(template, "AWS::SQS::Queue").items():
        attributes = sqs.get_queue_attributes(
            QueueUrl=physical[logical_id].ref, AttributeNames=["All"]
        )["Attributes"]
        assert attributes["QueueArn"] == physical[logical_id].attributes["Arn"]
        if "VisibilityTimeout" in props:
            assert attributes["VisibilityTimeout"] == str(props["VisibilityTimeout"])
        if "RedrivePolicy" in props:
            redrive = json.loads(attributes["RedrivePolicy"])
            dead_letter = props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            assert redrive["deadLetterTargetArn"] == physical[dead_letter].attributes["Arn"]
            assert redrive["maxReceiveCount"] == props["RedrivePolicy"]["maxReceiveCount"]

    sfn = client("stepfunctions", local_system.endpoint)
    for logical_id, props in resources(template, "AWS::StepFunctions::StateMachine").items():
        machine = sfn.describe_state_machine(stateMachineArn=physical[logical_id].ref)
        assert machine["type"] == props["StateMachineType"]
        role = props["RoleArn"]["Fn::GetAtt"][0]
        assert machine["roleArn"] == physical[role].attributes["Arn"]
        assert "${" not in machine["definition"]  # every substitution applied
        for value in props["DefinitionSubstitutions"].values():
            assert physical[value["Ref"]].ref in machine["definition"]

    dynamodb = client("dynamodb", local_system.endpoint)
    table = dynamodb.describe_table(TableName=physical["RegistrationsTable"].ref)["Table"]
    assert physical["RegistrationsTable"].attributes["StreamArn"] == table["LatestStreamArn"]

    environment = local_system.stack.environment()
    assert environment["WORKFLOW_ARN"] == physical["Workflow"].ref
    sesv2 = client("sesv2", local_system.endpoint)
    sesv2.get_configuration_set(ConfigurationSetName=environment["SES_CONFIGURATION_SET"])
    sesv2.get_email_identity(EmailIdentity=environment["SENDER_EMAIL"])


def test_a_message_that_fails_three_times_lands_in_the_dead_letter_queue(
    copy_stack: Stack, copy_pump: EventPump
) -> None:
    # Given a consumer written like ours (Powertools BatchProcessor, partial failures)
    # that fails on one message only
    handled: list[str] = []
    receive_counts: list[str] = []
    processor = BatchProcessor(event_type=EventType.SQS)

    def record_handler(record: SQSRecord) -> None:
        if record.body == "poison":
            receive_counts.append(record.attributes.approximate_receive_count)
            raise ValueError("cannot handle this one")
        handled.append(record.body)

    def handler(event: dict[str, Any], context: Any) -> Any:
        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    queue = copy_stack.physical["NotifyQueue"].ref
    dead_letters = copy_stack.physical["NotifyDeadLetterQueue"].ref
    sqs = client("sqs", copy_stack.endpoint)
    # When a batch holds three good messages and the poison one
    for body in ("one", "poison", "two", "three"):
        sqs.send_message(QueueUrl=queue, MessageBody=body)
    with copy_pump.override("NotifyFunction", handler):
        copy_pump.drain(timeout=10)

    # Then the good ones are handled exactly once, the poison one three times
    assert sorted(handled) == ["one", "three", "two"]
    assert receive_counts == ["1", "2", "3"]
    # And it ends in the dead-letter queue, and the queue itself is empty
    moved = sqs.receive_message(QueueUrl=dead_letters, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in moved] == ["poison"]
    assert copy_pump.pending() == 0


def test_an_exception_fails_the_whole_batch(copy_stack: Stack, copy_pump: EventPump) -> None:
    calls: list[int] = []

    def handler(event: dict[str, Any], context: Any) -> Any:
        calls.append(len(event["Records"]))
        if len(calls) == 1:
            raise RuntimeError("the whole invocation failed")
        return {"batchItemFailures": []}

    sqs = client("sqs", copy_stack.endpoint)
    for body in ("a", "b"):
        sqs.send_message(QueueUrl=copy_stack.physical["TriageQueue"].ref, MessageBody=body)
    with copy_pump.override("TriageFunction", handler):
        copy_pump.drain(timeout=10)
    assert sum(calls[1:]) == 2  # both came back after the failed invocation


def _item(pk: str, sk: str = "REGISTRATION", **extra: dict[str, str]) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}, **extra}


def test_stream_records_are_filtered_and_ttl_deletions_marked(
    copy_stack: Stack, copy_pump: EventPump, local_system: LocalSystem
) -> None:
    # Given the workflow-start mapping with its filter (INSERT/REMOVE of REGISTRATION items)
    seen: list[dict[str, Any]] = []
    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)

    def handler(event: dict[str, Any], context: Any) -> Any:
        def record_handler(record: DynamoDBRecord) -> None:
            seen.append(record.raw_event)

        return process_partial_response(
            event=event, record_handler=record_handler, processor=processor, context=context
        )

    table = copy_stack.physical["RegistrationsTable"].ref
    dynamodb = client("dynamodb", copy_stack.endpoint)
    expired = str(int(local_system.clock.now().timestamp()) - 60)
    later = str(int(local_system.clock.now().timestamp()) + 86400)
    with copy_pump.override("WorkflowStartFunction", handler):
        copy_pump.drain(timeout=10)  # whatever an earlier test left
        seen.clear()
        # When a registration is stored, another kind of item too, and the registration changes
        dynamodb.put_item(TableName=table, Item=_item("REG#1"))
        dynamodb.put_item(TableName=table, Item=_item("REG#1", "TRANSITION#1"))
        dynamodb.put_item(TableName=table, Item=_item("REG#1", status={"S": "scheduled"}))
        # And one registration is deleted by hand, and one expires
        dynamodb.put_item(TableName=table, Item=_item("REG#2", expires_at={"N": later}))
        dynamodb.put_item(TableName=table, Item=_item("REG#3", expires_at={"N": expired}))
        dynamodb.delete_item(TableName=table, Key=_item("REG#2"))
        assert copy_pump.sweep_ttl() == 1
        copy_pump.drain(timeout=10)

    # Then only the INSERTs and REMOVEs of registrations reached the handler, in order
    assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in seen] == [
        ("INSERT", "REG#1"),
        ("INSERT", "REG#2"),
        ("INSERT", "REG#3"),
        ("REMOVE", "REG#2"),
        ("REMOVE", "REG#3"),
    ]
    first = seen[0]
    assert (
        first["eventSourceARN"] == copy_stack.physical["RegistrationsTable"].attributes["StreamArn"]
    )
    assert first["dynamodb"]["NewImage"]["sk"] == {"S": "REGISTRATION"}
    # And only the deletion by TTL says so, as AWS marks it
    assert "userIdentity" not in seen[3]
    assert seen[4]["userIdentity"] == TTL_IDENTITY
    assert seen[4]["dynamodb"]["OldImage"]["expires_at"] == {"N": expired}


def test_a_stream_record_that_keeps_failing_goes_to_the_on_failure_queue(
    copy_stack: Stack, copy_pump: EventPump
) -> None:
    attempts: list[str] = []

    def handler(event: dict[str, Any], context: Any) -> Any:
        failures = []
        for record in event["Records"]:
            attempts.append(record["dynamodb"]["Keys"]["pk"]["S"])
            if record["dynamodb"]["Keys"]["pk"]["S"] == "REG#poison":
                failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
        return {"batchItemFailures": failures}

    table = copy_stack.physical["RegistrationsTable"].ref
    dynamodb = client("dynamodb", copy_stack.endpoint)
    source = next(s for s in copy_pump.stream_sources if s.function == "WorkflowStartFunction")
    with copy_pump.override("WorkflowStartFunction", lambda event, context: None):
        copy_pump.drain(timeout=10)  # whatever an earlier test left
    with copy_pump.override("WorkflowStartFunction", handler):
        dynamodb.put_item(TableName=table, Item=_item("REG#poison"))
        copy_pump.drain(timeout=20)
        dynamodb.put_item(TableName=table, Item=_item("REG#after"))
        copy_pump.drain(timeout=10)

    # Then it was retried MaximumRetryAttempts times, then reported and skipped
    assert attempts.count("REG#poison") == source.max_retries + 1
    assert attempts[-1] == "REG#after"
    sqs = client("sqs", copy_stack.endpoint)
    queue = copy_stack.physical["WorkflowStartDeadLetterQueue"].ref
    (message,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    failure = json.loads(message["Body"])
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 1
    assert failure["DDBStreamBatchInfo"]["streamArn"] == source.stream_arn


def test_a_registration_starts_its_workflow_through_the_stream(
    local_system: LocalSystem,
) -> None:
    pytest.importorskip("triage.workflow_start_handler")
    sfn = client("stepfunctions", local_system.endpoint)
    workflow = local_system.stack.physical["Workflow"].ref
    local_system.pump.drain(timeout=15)
    before = {e["name"] for e in sfn.list_executions(stateMachineArn=workflow)["executions"]}
    sent_before = len(local_system.outbox())

    response = requests.post(
        f"{local_system.url}/api/registrations", json=registration(), timeout=30
    )
    assert response.status_code in (201, 202)
    reference = response.json()["reference"]
    local_system.pump.drain(timeout=15)

    executions = sfn.list_executions(stateMachineArn=workflow)["executions"]
    started = [e for e in executions if e["name"] not in before]
    assert len(started) == 1
    assert started[0]["status"] == "RUNNING"  # waiting for the response term
    new_mail = local_system.outbox()[: len(local_system.outbox()) - sent_before]
    assert [m for m in new_mail if reference in m.subject]


def test_a_wait_days_ahead_continues_at_once_when_the_clock_passes_it(
    local_system: LocalSystem, restore_clock: None
) -> None:
    # Given a state machine that waits until a timestamp three days ahead
    sfn = client("stepfunctions", local_system.endpoint)
    definition = {
        "StartAt": "WaitUntil",
        "States": {
            "WaitUntil": {"Type": "Wait", "TimestampPath": "$.until", "Next": "Done"},
            "Done": {"Type": "Succeed"},
        },
    }
    machine = sfn.create_state_machine(
        name=f"vh-test-wait-{uuid.uuid4().hex[:8]}",
        definition=json.dumps(definition),
        roleArn=local_system.stack.physical["WorkflowRole"].attributes["Arn"],
        type="STANDARD",
    )["stateMachineArn"]
    until = local_system.clock.now() + dt.timedelta(days=3)
    execution = sfn.start_execution(
        stateMachineArn=machine,
        input=json.dumps({"until": until.strftime("%Y-%m-%dT%H:%M:%SZ")}),
    )["executionArn"]

    def history() -> list[str]:
        events = sfn.get_execution_history(executionArn=execution)["events"]
        return [event["type"] for event in events]

    # Then it enters the wait and keeps waiting
    wait_until(lambda: "WaitStateEntered" in history(), "the execution to enter its Wait state")
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    assert "WaitStateExited" not in history()

    # When the clock moves four days forward
    local_system.clock.advance(days=4)

    # Then it continues and succeeds
    def finished() -> str | None:
        status = sfn.describe_execution(executionArn=execution)["status"]
        return None if status == "RUNNING" else status

    status = wait_until(finished, "the execution to finish after the clock passed its wait")
    assert status == "SUCCEEDED"
    local_system.pump.drain(timeout=15)  # what the advance set in motion for the main stack


def test_a_schedule_fires_at_its_moment_on_the_simulated_clock(
    local_system: LocalSystem, restore_clock: None
) -> None:
    calls: list[tuple[dict[str, Any], dt.datetime]] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        if event.get("job") != "digest":  # the same function's daily schedule fires too
            calls.append((event, local_system.clock.now()))

    schedule = local_system.pump.schedules["AgendaFunctionWeeklyCutoff"]
    moment = schedule.next_fire
    assert moment is not None
    with local_system.pump.override(schedule.function, handler):
        # When the clock passes the cut-off by a minute
        local_system.clock.advance(moment - local_system.clock.now() + dt.timedelta(minutes=1))
        # Then the target ran once, with the clock standing at the cut-off
        assert len(calls) == 1
        event, seen_at = calls[0]
        assert abs(seen_at - moment) < dt.timedelta(seconds=5)
        assert event["time"] == moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert event["resources"] == [schedule.arn]
        # And the next cut-off is a week later, at 12:00 in Amsterdam again
        assert schedule.next_fire is not None
        assert schedule.next_fire.astimezone(dt.UTC) - moment in (
            dt.timedelta(days=7),
            dt.timedelta(days=7, hours=1),
            dt.timedelta(days=7, hours=-1),
        )
        # And on demand it fires at once
        local_system.pump.fire("AgendaFunctionWeeklyCutoff")
        assert len(calls) == 2


def test_the_dev_pages_show_sent_mail_and_move_the_clock(
    local_system: LocalSystem, restore_clock: None
) -> None:
    sender = local_system.stack.environment()["SENDER_EMAIL"]
    subject = f"Testbericht <{uuid.uuid4().hex[:6]}>"
    client("sesv2", local_system.endpoint).send_email(
        FromEmailAddress=sender,
        Destination={"ToAddresses": ["team@veiligheidshuis.example.org"]},
        Content={
            "Simple": {
                "Subject": {"Data": subject},
                "Body": {"Text": {"Data": "tekst"}, "Html": {"Data": "<p>html</p>"}},
            }
        },
    )
    outbox = requests.get(f"{local_system.url}/dev/outbox.json", timeout=10).json()
    newest = outbox["messages"][0]
    assert newest["subject"] == subject
    assert newest["to"] == ["team@veiligheidshuis.example.org"]
    assert newest["is_html"] is True

    page = requests.get(f"{local_system.url}/dev/", timeout=10)
    assert page.status_code == 200
    assert '<html lang="nl">' in page.text
    assert "Testbericht &lt;" in page.text  # escaped
    assert "Klok 1 week vooruit" in page.text

    before = local_system.clock.now()
    moved = requests.post(f"{local_system.url}/dev/clock?days=7", allow_redirects=False, timeout=30)
    assert moved.status_code == 303
    assert moved.headers["Location"] == "/dev/"
    assert local_system.clock.now() - before >= dt.timedelta(days=7)
    refused = requests.post(f"{local_system.url}/dev/clock?days=-1", timeout=10)
    assert refused.status_code == 400
    local_system.pump.drain(timeout=15)


def test_without_dev_mode_there_are_no_dev_pages(local_system: LocalSystem, site_dir: Any) -> None:
    gateway = LocalGateway(local_system.stack, site_dir).start()
    try:
        assert requests.get(f"{gateway.url}/dev/outbox.json", timeout=10).status_code == 404
    finally:
        gateway.stop()


@pytest.mark.parametrize(
    ("record", "wanted"),
    [
        ({"eventName": "INSERT", "dynamodb": {"Keys": {"sk": {"S": "REGISTRATION"}}}}, True),
        ({"eventName": "MODIFY", "dynamodb": {"Keys": {"sk": {"S": "REGISTRATION"}}}}, False),
        ({"eventName": "REMOVE", "dynamodb": {"Keys": {"sk": {"S": "TRANSITION#1"}}}}, False),
        ({"eventName": "INSERT", "dynamodb": {}}, False),
    ],
)
def test_the_filter_pattern_of_the_template(record: dict[str, Any], wanted: bool) -> None:
    (props,) = [
        p
        for p in resources(transformed(), "AWS::Lambda::EventSourceMapping").values()
        if "FilterCriteria" in p
    ]
    patterns = [json.loads(f["Pattern"]) for f in props["FilterCriteria"]["Filters"]]
    assert any(matches(p, record) for p in patterns) is wanted


def test_filter_operators() -> None:
    assert matches({"a": [{"prefix": "REG#"}]}, {"a": "REG#1"})
    assert not matches({"a": [{"prefix": "REG#"}]}, {"a": "X"})
    assert matches({"a": [{"exists": False}]}, {})
    assert matches({"a": [{"anything-but": ["x"]}]}, {"a": "y"})
    assert matches({"a": ["x"]}, {"a": ["y", "x"]})


def test_boto3_clients_in_tests_reach_the_emulator(local_system: LocalSystem) -> None:
    # The handlers' clients get the endpoint from AWS_ENDPOINT_URL, as the tests' own do.
    queues = boto3.client("sqs").list_queues().get("QueueUrls", [])
    assert local_system.stack.physical["NotifyQueue"].ref in queues


def test_the_stream_goes_on_after_a_cancelled_transaction(local_system: LocalSystem) -> None:
    """Records written after a cancelled transaction still start their workflows (as
    DynamoDB's own stream would). moto alone rolled one back by putting a copy of the table,
    stream shard included, in its place, and a kept iterator then read the discarded shard
    (``devstack.transactions`` now undoes it in place; the pump resumes by sequence number)."""
    sfn = client("stepfunctions", local_system.endpoint)
    dynamodb = client("dynamodb", local_system.endpoint)
    workflow = local_system.stack.physical["Workflow"].ref
    table = local_system.stack.physical["RegistrationsTable"].ref
    local_system.pump.drain(timeout=15)
    existing = dynamodb.scan(TableName=table, Limit=1)["Items"][0]
    key = {"pk": existing["pk"], "sk": existing["sk"]}
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": key,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ]
        )
    before = {e["name"] for e in sfn.list_executions(stateMachineArn=workflow)["executions"]}

    response = requests.post(
        f"{local_system.url}/api/registrations", json=registration(), timeout=30
    )
    assert response.status_code == 202
    local_system.pump.drain(timeout=15)
    executions = sfn.list_executions(stateMachineArn=workflow)["executions"]
    assert len([e for e in executions if e["name"] not in before]) == 1
