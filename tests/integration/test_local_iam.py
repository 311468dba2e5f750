"""IAM on the local stack (devstack.iam): each function calls with its own role's credentials
and the emulator refuses what the role does not allow, as AWS would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from devstack.iam import running_as
from devstack.stack import LocalSystem
from tests.factories import registration
from tests.integration.test_intake import post, table_items
from vhcore.errors import StorageUnavailable
from vhcore.http import UNAVAILABLE


def test_each_function_calls_with_its_own_role_and_tests_as_the_stack(
    local_system: LocalSystem,
) -> None:
    from vhcore.dal import aws

    for function, settings in local_system.stack.functions.items():
        with running_as(function):
            caller = aws.client("sts").get_caller_identity()["Arn"]
        role = settings["Role"].rsplit("/", 1)[-1]
        assert caller.startswith(f"arn:aws:sts::123456789012:assumed-role/{role}/"), function
    # Outside any function (tests, the pump, seeding): the local stack's own IAM user.
    user = f"arn:aws:iam::123456789012:user/{local_system.identity.user}"
    assert aws.client("sts").get_caller_identity()["Arn"] == user
    assert boto3.client("sts", endpoint_url=local_system.endpoint).get_caller_identity()["Arn"] == (
        user
    )


def assert_access_denied(error: ClientError, action: str) -> None:
    """moto answers IAM's XML error for every service, so botocore reads the code of a JSON
    service's refusal as the HTTP status; AWS's DynamoDB says AccessDeniedException. The
    product maps either to StorageUnavailable."""
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "<Code>AccessDenied</Code>" in str(error)
    assert f"is not authorized to perform: {action}" in str(error)


def test_a_call_outside_the_role_is_refused_with_access_denied(local_system: LocalSystem) -> None:
    """Intake may write registrations, never list them."""
    from vhcore.dal import aws

    table = local_system.stack.physical["RegistrationsTable"].ref
    with running_as("IntakeFunction"), pytest.raises(ClientError) as refused:
        aws.client("dynamodb").scan(TableName=table, Limit=1)
    assert_access_denied(refused.value, "dynamodb:Scan")


@contextmanager
def without_action(system: LocalSystem, role: str, action: str) -> Iterator[None]:
    """``role`` (logical id) loses ``action`` from its inline policies while the block runs."""
    iam = boto3.client("iam", endpoint_url=system.endpoint)
    name = system.stack.physical[role].ref
    originals: dict[str, str] = {}
    for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        document: Any = iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
        document = json.loads(document) if isinstance(document, str) else document
        original = json.dumps(document)
        kept = []
        for statement in document["Statement"]:
            actions = statement["Action"]
            actions = [actions] if isinstance(actions, str) else actions
            if action in actions:
                originals[policy] = original
                actions = [a for a in actions if a != action]
            if actions:  # a statement without actions is malformed: it goes
                kept.append(statement | {"Action": actions})
        if policy in originals:
            changed = json.dumps(document | {"Statement": kept})
            iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=changed)
    assert originals, f"{role} has no {action} to remove"
    try:
        yield
    finally:
        for policy, document_text in originals.items():
            iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=document_text)


def test_a_role_without_an_action_the_function_needs_fails_as_in_aws(
    local_system: LocalSystem,
) -> None:
    """The agenda function without ``dynamodb:UpdateItem`` (the role of finding 1): the weekly
    run fails on marking the agenda sent (the scheduler retries it); with it, it succeeds."""
    from vhcore import clock
    from vhcore.house import current_house
    from vhcore.logic.agenda import closing_triage

    triage_date = closing_triage(clock.now(), current_house())
    assert triage_date is not None
    table = local_system.stack.physical["RegistrationsTable"].ref
    key = {"pk": {"S": f"AGENDA#{triage_date.isoformat()}"}, "sk": {"S": "AGENDA"}}
    dynamodb = boto3.client("dynamodb", endpoint_url=local_system.endpoint)
    dynamodb.delete_item(TableName=table, Key=key)

    with (
        without_action(local_system, "AgendaFunctionRole", "dynamodb:UpdateItem"),
        pytest.raises(StorageUnavailable) as failed,
    ):
        local_system.pump.invoke("AgendaFunction", {})
    cause = failed.value.__cause__
    assert isinstance(cause, ClientError)
    assert_access_denied(cause, "dynamodb:UpdateItem")
    assert "notified_at" not in dynamodb.get_item(TableName=table, Key=key)["Item"]

    local_system.pump.invoke("AgendaFunction", {})  # the retry, with the role as declared
    assert "notified_at" in dynamodb.get_item(TableName=table, Key=key)["Item"]


def test_a_refused_write_at_intake_answers_503_and_stores_nothing(
    local_system: LocalSystem,
) -> None:
    """Intake without ``dynamodb:PutItem``: the partner gets the Dutch 503, nothing is stored,
    and the same registration is accepted once the role is as declared."""
    body = registration()
    before = len(table_items(local_system))
    with without_action(local_system, "IntakeFunctionRole", "dynamodb:PutItem"):
        refused = post(local_system, body)
    assert refused.status_code == 503
    assert refused.json()["message"] == UNAVAILABLE
    assert len(table_items(local_system)) == before
    assert post(local_system, body).status_code == 202


def test_only_a_role_given_send_task_success_resumes_the_follow_up(
    local_system: LocalSystem,
) -> None:
    """The triage function answers the follow-up's step with ``states:SendTaskSuccess``
    (its role has it, the workflow's own role does not need it): without it the call is
    refused, as AWS would."""
    from tests.integration.test_workflow import submit
    from vhcore.dal.services import aws_services
    from vhcore.logic import followup

    _, registration_id = submit(local_system)
    with running_as("TriageFunction"):
        services = aws_services("notify_queue_url")
        with (
            without_action(local_system, "TriageFunctionRole", "states:SendTaskSuccess"),
            pytest.raises(StorageUnavailable) as failed,
        ):
            followup.follow_up(services, registration_id, "a-token-nobody-parked", None)
        cause = failed.value.__cause__
        assert isinstance(cause, ClientError)
        assert_access_denied(cause, "states:SendTaskSuccess")
        # With the role as declared the same call is allowed (the token is just not valid)
        followup.follow_up(services, registration_id, "a-token-nobody-parked", None)
