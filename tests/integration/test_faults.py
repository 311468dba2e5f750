"""Faults in every AWS call the product makes (issue #8): throttling, a 5xx and a timeout.

Faults are injected at the botocore level: every client the product creates (anything built
from a frame inside ``functions/vhcore``: ``dal.aws``'s clients, Powertools idempotency's
DynamoDB client, the Encryption SDK's KMS client) gets a ``before-send`` hook. The hook
records which handler made which call, and answers with an error response (throttling: HTTP
400/429 with the service's throttling code; a 5xx: HTTP 500) or raises botocore's
``ReadTimeoutError`` instead of sending, so the clients' own retries (standard mode, three
attempts) run as they would in AWS. A *persistent* fault fails every attempt; a *transient*
one only the first, and the retry must succeed without the user noticing.

``FAULT_TABLE`` lists, per handler, every (service, operation) it calls and the scenario that
makes it. ``test_every_call_of_the_happy_paths_is_in_the_fault_table`` runs the happy paths
and fails when a handler makes a call the table does not have, so a new AWS call cannot go
without a fault test.

What the user gets (documented in the OpenAPI document):
- intake: ``503`` with the Dutch Problem body and a correlation id; nothing stored or a
  complete registration (the reference claim and the registration are one transaction); the
  idempotency record is deleted on failure (Powertools), so the user's retry stores exactly one.
  When only the idempotency record's completion fails, the registration is stored: the user
  gets ``202`` with its reference.
- admin: ``503`` with a Dutch message; reading a case writes the audit record before it
  decrypts, so a decrypt fault leaves an audit record of the attempt (an attempt is logged).
- consumers (workflow start, triage, notify): the record is reported as a batch item failure,
  so the event source delivers it again; nothing is sent before the call that failed.
- agenda: the invocation fails, so the scheduler retries it.
No response carries a stack trace, botocore's error text or personal data.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import types
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.endpoint
import pytest
import requests
from botocore.awsrequest import AWSResponse
from botocore.client import ClientCreator
from botocore.compat import HTTPHeaders
from botocore.exceptions import ReadTimeoutError
from botocore.httpsession import URLLib3Session
from botocore.retries.quota import RetryQuota

from devstack.stack import LocalSystem
from tests.conftest import SuiteLog
from tests.factories import PERSONAL_VALUES, registration
from tests.integration.test_intake import post
from tests.integration.test_workflow import execution
from vhcore.errors import StorageUnavailable
from vhcore.http import UNAVAILABLE
from vhtools.template import REPO

ADMIN_UNAVAILABLE = "De gegevens zijn nu niet bereikbaar. Probeer het later opnieuw."
PRODUCT = str(REPO / "functions" / "vhcore")
FUNCTIONS = str(REPO / "functions")
KINDS = ("throttling", "server-error", "timeout")
ATTEMPTS = 3  # the clients' retry configuration: standard mode, three attempts in all
# Throttling and server error codes per service, as the services answer them.
THROTTLING = {
    "dynamodb": "ProvisionedThroughputExceededException",
    "sesv2": "TooManyRequestsException",
}
SERVER_ERROR = {"dynamodb": "InternalServerError", "kms": "KMSInternalException"}
# What must never reach a response: traces, botocore's error text, the injected codes.
LEAKS = ("Traceback", "botocore", "injected fault", "Exception", "InternalServerError")

Call = tuple[str, str, str]  # (handler, service, operation)


# --- the fault injector ------------------------------------------------------------------


@dataclass
class Fault:
    """Fail ``targets`` ((service, operation) pairs): every attempt (``failures`` None) or
    the first ``failures`` attempts of the calling process. ``kinds``: another kind for
    some targets. Besides ``KINDS``: ``sent-then-timeout`` sends the request and then times
    out (the service acted on it; its answer was lost)."""

    kind: str
    targets: tuple[tuple[str, str], ...]
    failures: int | None = None
    attempts: dict[tuple[str, str], int] = field(default_factory=dict)
    kinds: dict[tuple[str, str], str] = field(default_factory=dict)

    def failed(self, target: tuple[str, str]) -> int:
        made = self.attempts.get(target, 0)
        return made if self.failures is None else min(made, self.failures)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


def error_response(url: str, service: str, kind: str) -> AWSResponse:
    if kind == "throttling":
        status = 429 if service == "sesv2" else 400
        code = THROTTLING.get(service, "ThrottlingException")
    else:
        status, code = 500, SERVER_ERROR.get(service, "InternalFailure")
    body = json.dumps({"__type": code, "message": "injected fault"}).encode()
    headers = HTTPHeaders()
    headers["x-amzn-ErrorType"] = code
    headers["Content-Type"] = "application/x-amz-json-1.0"
    return AWSResponse(url, status, headers, _Raw(body))


def _handler_in_stack() -> str:
    """The product handler module on the current thread's stack ('other' when none)."""
    frame: types.FrameType | None = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(FUNCTIONS) and name.endswith("_handler.py"):
            return name.rsplit("/", 1)[-1].removesuffix("_handler.py")
        frame = frame.f_back
    return "other"


def _created_by_product() -> bool:
    frame: types.FrameType | None = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.startswith(PRODUCT):
            return True
        frame = frame.f_back
    return False


class Injector:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: list[Call] = []
        self.fault: Fault | None = None

    def before_send(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        service, operation = event_name.split(".", 2)[1:]
        with self.lock:
            self.calls.append((_handler_in_stack(), service, operation))
            fault = self.fault
            if fault is None or (service, operation) not in fault.targets:
                return None
            seen = fault.attempts.get((service, operation), 0)
            fault.attempts[(service, operation)] = seen + 1
            if fault.failures is not None and seen >= fault.failures:
                return None
            kind = fault.kinds.get((service, operation), fault.kind)
        if kind == "sent-then-timeout":
            URLLib3Session().send(request)
        if kind in ("timeout", "sent-then-timeout"):
            raise ReadTimeoutError(endpoint_url=request.url)
        return error_response(request.url, service, kind)

    @contextmanager
    def active(self, fault: Fault) -> Iterator[Fault]:
        with self.lock:
            self.fault = fault
        try:
            yield fault
        finally:
            with self.lock:
                self.fault = None

    @contextmanager
    def recording(self) -> Iterator[list[Call]]:
        with self.lock:
            start = len(self.calls)
        recorded: list[Call] = []
        yield recorded
        with self.lock:
            recorded.extend(self.calls[start:])


class _NoWait:
    """botocore.endpoint's ``time`` without the back-off sleep between retries."""

    @staticmethod
    def sleep(_: float) -> None:
        return None


@pytest.fixture(scope="module")
def injector(local_system: LocalSystem) -> Iterator[Injector]:
    injector = Injector()
    original = ClientCreator.create_client

    def create_client(self: ClientCreator, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        if _created_by_product():
            hook: Callable[..., Any] = injector.before_send
            client.meta.events.register("before-send", hook)
        return client

    patch = pytest.MonkeyPatch()
    patch.setattr(ClientCreator, "create_client", create_client)
    patch.setattr(botocore.endpoint, "time", _NoWait)
    # Each client's retry quota (standard mode) would run out after some hundred injected
    # faults in one process; a Lambda environment sees far fewer. Retries stay as configured.
    patch.setattr(RetryQuota, "acquire", lambda self, capacity_amount: True)
    local_system._clear_caches()  # every product client from now on has the hook
    try:
        yield injector
    finally:
        patch.undo()
        local_system._clear_caches()
        # Follow up the registrations made here now, not in a later module's drain.
        local_system.pump.drain(timeout=180)


@pytest.fixture(autouse=True)
def logs_stay_clean(suite_log: SuiteLog) -> Iterator[None]:
    """What the product logged during the test: no trace, no botocore text (personal data:
    the session-wide check in tests/conftest.py)."""
    start = len(suite_log.lines)
    yield
    for line in suite_log.lines[start:]:
        assert not [leak for leak in LEAKS if leak in line]


# --- helpers ---------------------------------------------------------------------------------


def item_count(system: LocalSystem) -> int:
    """Items in the registrations table (registrations, reference claims, agendas)."""
    pages = (
        dynamodb(system)
        .get_paginator("scan")
        .paginate(
            TableName=table(system, "RegistrationsTable"), Select="COUNT", ConsistentRead=True
        )
    )
    return sum(int(page["Count"]) for page in pages)


def registration_item(system: LocalSystem, reference: str) -> dict[str, Any]:
    """The registration behind a reference, through its claim: both must exist."""
    claim = dynamodb(system).get_item(
        TableName=table(system, "RegistrationsTable"),
        Key={"pk": {"S": f"REF#{reference}"}, "sk": {"S": "REFERENCE"}},
        ConsistentRead=True,
    )
    return item(system, claim["Item"]["registration_id"]["S"])


def submit(system: LocalSystem) -> tuple[str, str]:
    """A new registration (not yet followed up): (reference, registration id)."""
    response = post(system, registration())
    assert response.status_code == 202
    reference = response.json()["reference"]
    return reference, registration_item(system, reference)["pk"]["S"].removeprefix("REG#")


def assert_clean(response: requests.Response) -> None:
    """No trace, no botocore text, no personal data in an answer."""
    for text in (*LEAKS, *PERSONAL_VALUES.values()):
        assert text not in response.text


def assert_unavailable(response: requests.Response, message: str) -> None:
    assert response.status_code == 503
    assert response.json()["message"] == message
    assert response.json()["correlation_id"]
    assert_clean(response)


def dynamodb(system: LocalSystem) -> Any:
    return boto3.client("dynamodb", endpoint_url=system.endpoint)


def table(system: LocalSystem, logical_id: str) -> str:
    return str(system.stack.physical[logical_id].ref)


def set_clear_fields(system: LocalSystem, registration_id: str, **fields: str) -> None:
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    values = {f":f{i}": {"S": value} for i, value in enumerate(fields.values())}
    dynamodb(system).update_item(
        TableName=table(system, "RegistrationsTable"),
        Key={"pk": {"S": f"REG#{registration_id}"}, "sk": {"S": "REGISTRATION"}},
        UpdateExpression="SET "
        + ", ".join(f"{n} = {v}" for n, v in zip(names, values, strict=True)),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def item(system: LocalSystem, registration_id: str) -> dict[str, Any]:
    found = dynamodb(system).get_item(
        TableName=table(system, "RegistrationsTable"),
        Key={"pk": {"S": f"REG#{registration_id}"}, "sk": {"S": "REGISTRATION"}},
        ConsistentRead=True,
    )
    return dict(found["Item"])


def sqs_event(message: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    message_id = str(uuid.uuid4())
    record = {
        "messageId": message_id,
        "receiptHandle": "local",
        "body": json.dumps(message),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:local",
        "awsRegion": "eu-central-1",
    }
    return message_id, {"Records": [record]}


def stream_event(name: str, image: dict[str, Any], **extra: Any) -> tuple[str, dict[str, Any]]:
    sequence = str(int(time.time() * 1000))
    change = {"Keys": {"pk": image["pk"], "sk": image["sk"]}, "SequenceNumber": sequence}
    change["NewImage" if name == "INSERT" else "OldImage"] = image
    record = {
        "eventID": str(uuid.uuid4()),
        "eventName": name,
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-central-1",
        "dynamodb": change,
        **extra,
    }
    return sequence, {"Records": [record]}


def failed_items(response: Any) -> list[str]:
    return [failure["itemIdentifier"] for failure in response["batchItemFailures"]]


# --- scenarios: one per table entry; ``failing`` says whether the fault persists -------------

Scenario = Callable[["Context", Fault, bool], None]


@dataclass
class Context:
    system: LocalSystem
    injector: Injector
    token: Callable[[str], str]

    def admin(self, method: str, path: str, group: str = "procesregie", **kw: Any) -> Any:
        return requests.request(
            method,
            f"{self.system.url}/api/admin{path}",
            headers={"Authorization": f"Bearer {self.token(group)}"},
            timeout=30,
            **kw,
        )


def intake_stores_once(ctx: Context, fault: Fault, failing: bool) -> None:
    """A fault anywhere before the registration is stored: 503 and nothing kept; the retry
    stores exactly one. A transient fault: the user sees nothing of it."""
    body = registration()
    before = item_count(ctx.system)
    with ctx.injector.active(fault):
        response = post(ctx.system, body)
    if failing:
        assert_unavailable(response, UNAVAILABLE)
        assert item_count(ctx.system) == before, "nothing half-written"
        response = post(ctx.system, body)
    assert response.status_code == 202
    registration_item(ctx.system, response.json()["reference"])  # stored, with its claim
    assert item_count(ctx.system) == before + 2, "one registration and one reference"


def intake_completion_lost(ctx: Context, fault: Fault, failing: bool) -> None:
    """The idempotency record cannot be completed after the registration was stored: the
    registration is complete and kept, so the user gets its reference. Sent again once that
    record has expired, the same submission still stores nothing new: its registration id
    comes from its submission id, and it is answered with the same reference."""
    body = registration()
    before = item_count(ctx.system)
    with ctx.injector.active(fault):
        response = post(ctx.system, body)
    assert response.status_code == 202
    assert_clean(response)
    registration_item(ctx.system, response.json()["reference"])
    assert item_count(ctx.system) == before + 2
    if not failing:
        return
    records = table(ctx.system, "IdempotencyTable")
    for record in dynamodb(ctx.system).scan(TableName=records)["Items"]:
        if record["status"]["S"] == "INPROGRESS":  # as at the invocation's timeout
            dynamodb(ctx.system).delete_item(TableName=records, Key={"id": record["id"]})
    again = post(ctx.system, body)
    assert again.status_code == 202
    assert again.json() == response.json()
    assert item_count(ctx.system) == before + 2, "still one registration and one reference"


def intake_record_not_released(ctx: Context, fault: Fault, failing: bool) -> None:
    """Storing fails and so does deleting the idempotency record: 503, nothing stored, and
    the record in progress expires with the invocation (it cannot block retries for long)."""
    fault.targets = (*fault.targets, ("dynamodb", "TransactWriteItems"))
    body = registration()
    before = item_count(ctx.system)
    started = int(time.time() * 1000)
    with ctx.injector.active(fault):
        response = post(ctx.system, body)
    assert_unavailable(response, UNAVAILABLE)
    assert item_count(ctx.system) == before
    records = dynamodb(ctx.system).scan(TableName=table(ctx.system, "IdempotencyTable"))["Items"]
    in_progress = [r for r in records if r["status"]["S"] == "INPROGRESS"]
    assert in_progress, "the record of the failed attempt is still in progress"
    # ... but only until the invocation's timeout (10 s locally and in AWS).
    newest = max(int(r["in_progress_expiration"]["N"]) for r in in_progress)
    assert newest <= started + 10_000 + 1_000


def admin_read_case(ctx: Context, fault: Fault, failing: bool) -> None:
    reference, _ = submit(ctx.system)
    path = f"/registrations/{reference}"
    read = {"purpose_category": "triage", "purpose": "weging voorbereiden"}
    with ctx.injector.active(fault), ctx.injector.recording() as calls:
        response = ctx.admin("POST", f"{path}/read", json=read)
    if not failing:
        assert response.status_code == 200
        assert response.json()["entry"]["reference"] == reference
        return
    assert_unavailable(response, ADMIN_UNAVAILABLE)
    trail = ctx.admin("GET", f"{path}/audit", group="beheer").json()
    audited = [r for r in trail if r["action"] == "inzien"]
    if ("dynamodb", "PutItem") in fault.targets:
        assert not audited
        assert ("kms", "Decrypt") not in {(s, o) for _, s, o in calls}, "no record, no data"
    elif ("dynamodb", "GetItem") not in fault.targets:
        assert len(audited) == 1, "the attempt to read is logged"


def admin_action(
    action: str, unchanged: Callable[[dict[str, Any]], bool], done: Callable[[Any], bool]
) -> Scenario:
    """A staff action: on a fault 503 and the case as it was; the repeat succeeds."""

    def scenario(ctx: Context, fault: Fault, failing: bool) -> None:
        reference, registration_id = submit(ctx.system)
        path = f"/registrations/{reference}/{action}"
        body = {"reason": "Gebeld; graag nog het adres van de school"}
        with ctx.injector.active(fault):
            response = ctx.admin("POST", path, json=body)
        if failing:
            assert_unavailable(response, ADMIN_UNAVAILABLE)
            assert unchanged(item(ctx.system, registration_id))
            response = ctx.admin("POST", path, json=body)
        assert response.status_code == 200
        assert done(response.json())

    return scenario


def admin_decision(ctx: Context, fault: Fault, failing: bool) -> None:
    reference, registration_id = submit(ctx.system)
    # In AWS the admin function has its own environment; here it shares intake's process, and
    # the Encryption SDK would reuse the data key intake made for this registration.
    ctx.system._clear_caches()
    # The workflow waits for the decision (a token parked by the triage consumer).
    set_clear_fields(ctx.system, registration_id, decision_token="local-" + registration_id)
    outcome = "niet-voor-veiligheidshuis"
    path = f"/registrations/{reference}/decision"
    body = {"outcome": outcome, "advice": "Geen rol voor het huis", "process_director": "P. Test"}
    with ctx.injector.active(fault):
        response = ctx.admin("POST", path, json=body)
    if failing and ("sfn", "SendTaskSuccess") in fault.targets:
        assert_unavailable(response, ADMIN_UNAVAILABLE)
        # Recorded, but the workflow still waits: the repeat resumes it (with a real token
        # that is 200; this stand-in token the emulator calls invalid, so: refused as done).
        assert item(ctx.system, registration_id)["status"]["S"] == "decided"
        with ctx.injector.recording() as calls:
            response = ctx.admin("POST", path, json=body)
        assert ("admin", "sfn", "SendTaskSuccess") in calls
        assert response.status_code == 409
        return
    if failing:
        assert_unavailable(response, ADMIN_UNAVAILABLE)
        assert item(ctx.system, registration_id)["status"]["S"] == "received"
        response = ctx.admin("POST", path, json=body)
    assert response.status_code == 200
    assert item(ctx.system, registration_id)["status"]["S"] == "decided"


def admin_get(path: str, group: str = "procesregie") -> Scenario:
    def scenario(ctx: Context, fault: Fault, failing: bool) -> None:
        submit(ctx.system)
        with ctx.injector.active(fault):
            response = ctx.admin("GET", path, group=group)
        if failing:
            assert_unavailable(response, ADMIN_UNAVAILABLE)
        else:
            assert response.status_code == 200

    return scenario


def invoke(ctx: Context, function: str, event: dict[str, Any]) -> Any:
    return ctx.system.pump.invoke(function, event)


def workflow_start(ctx: Context, fault: Fault, failing: bool) -> None:
    reference, registration_id = submit(ctx.system)
    image = registration_item(ctx.system, reference)
    sequence, event = stream_event("INSERT", image)
    with ctx.injector.active(fault):
        response = invoke(ctx, "WorkflowStartFunction", event)
    if failing:
        assert failed_items(response) == [sequence], "the stream delivers it again"
        response = invoke(ctx, "WorkflowStartFunction", event)
    assert failed_items(response) == []
    # (the stream's own record, delivered later, finds it running: still one run)
    assert execution(ctx.system, registration_id)["status"] == "RUNNING"  # exactly one


def workflow_expired(ctx: Context, fault: Fault, failing: bool) -> None:
    reference = "VH-TEST-" + uuid.uuid4().hex[:4].upper()
    claims = table(ctx.system, "RegistrationsTable")
    claim = {"pk": {"S": f"REF#{reference}"}, "sk": {"S": "REFERENCE"}}
    dynamodb(ctx.system).put_item(TableName=claims, Item=claim | {"registration_id": {"S": "x"}})
    # The old image of a registration as the stream gives it on expiry: the whole item.
    stored, _ = submit(ctx.system)
    image = registration_item(ctx.system, stored) | {
        "pk": {"S": f"REG#{uuid.uuid4()}"},
        "reference": {"S": reference},
    }
    ttl = {"userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"}}
    sequence, event = stream_event("REMOVE", image, **ttl)
    with ctx.injector.active(fault):
        response = invoke(ctx, "WorkflowStartFunction", event)
    if failing:
        assert failed_items(response) == [sequence]
        assert "Item" in dynamodb(ctx.system).get_item(TableName=claims, Key=claim)
        response = invoke(ctx, "WorkflowStartFunction", event)
    assert failed_items(response) == []
    assert "Item" not in dynamodb(ctx.system).get_item(TableName=claims, Key=claim)


def triage_enqueue(ctx: Context, fault: Fault, failing: bool) -> None:
    _, registration_id = submit(ctx.system)
    message_id, event = sqs_event({"kind": "enqueue", "registration_id": registration_id})
    with ctx.injector.active(fault):
        response = invoke(ctx, "TriageFunction", event)
    if failing:
        assert failed_items(response) == [message_id], "the queue delivers it again"
        assert "queue_pk" not in item(ctx.system, registration_id)
        response = invoke(ctx, "TriageFunction", event)
    assert failed_items(response) == []
    assert item(ctx.system, registration_id)["status"]["S"] == "scheduled"


def triage_resume(ctx: Context, fault: Fault, failing: bool) -> None:
    """The decision came before the workflow asked for it: the consumer resumes at once."""
    _, registration_id = submit(ctx.system)
    set_clear_fields(ctx.system, registration_id, outcome="niet-voor-veiligheidshuis")
    message = {"kind": "await-decision", "registration_id": registration_id, "token": "t-1"}
    message_id, event = sqs_event(message)
    with ctx.injector.active(fault):
        response = invoke(ctx, "TriageFunction", event)
    if failing:
        assert failed_items(response) == [message_id]
        response = invoke(ctx, "TriageFunction", event)
    assert failed_items(response) == []


def lost_answer(fault: Fault) -> bool:
    """A read timeout of SES: the e-mail may have gone, so it is never sent again."""
    return ("sesv2", "SendEmail") in fault.targets and fault.kind == "timeout"


def notify_message(ctx: Context) -> tuple[str, dict[str, Any], Callable[[], int]]:
    """A message asking for an e-mail to a new registration's registrant: (its delivery's
    id, its event, how many e-mails name the registration)."""
    reference, registration_id = submit(ctx.system)
    message = {
        "kind": "information-request",
        "registration_id": registration_id,
        "message_id": str(uuid.uuid4()),
    }
    message_id, event = sqs_event(message)

    def sent() -> int:
        return sum(1 for m in ctx.system.outbox() if reference in m.subject)

    return message_id, event, sent


def notify_registrant(ctx: Context, fault: Fault, failing: bool) -> None:
    """A fault before the e-mail goes, or SES refusing it: the message fails and nothing is
    sent; its redelivery sends one. SES's answer lost (a read timeout): not sent again,
    neither by the SDK nor by the redelivery (at most once; the alarm tells the operator)."""
    message_id, event, sent = notify_message(ctx)
    with ctx.injector.active(fault):
        response = invoke(ctx, "NotifyFunction", event)
    if lost_answer(fault):
        assert failed_items(response) == [], "a redelivery could not tell more"
        assert failed_items(invoke(ctx, "NotifyFunction", event)) == []
        assert sent() == 0, "the injected timeout came before sending; none is sent again"
        return
    if failing:
        assert failed_items(response) == [message_id]
        assert sent() == 0
        response = invoke(ctx, "NotifyFunction", event)
    assert failed_items(response) == []
    assert sent() == 1, "exactly one e-mail"


def notify_sent_not_recorded(ctx: Context, fault: Fault, failing: bool) -> None:
    """The e-mail went, recording that it went failed: the message succeeds (the e-mail is
    out), and its claim keeps a redelivery from sending it again."""
    _message_id, event, sent = notify_message(ctx)
    with ctx.injector.active(fault):
        response = invoke(ctx, "NotifyFunction", event)
    assert failed_items(response) == []
    assert failed_items(invoke(ctx, "NotifyFunction", event)) == []
    assert sent() == 1, "exactly one e-mail"


def notify_claim_not_released(ctx: Context, fault: Fault, failing: bool) -> None:
    """SES refuses the e-mail and releasing its claim fails too: the message fails, nothing
    was sent, and the claim stays. The redelivery does not send it (the claim may be an
    attempt still sending); once older than the function's timeout it raises the alarm."""
    fault.targets = (*fault.targets, ("sesv2", "SendEmail"))
    fault.kinds[("sesv2", "SendEmail")] = "server-error"  # refused: certainly not sent
    message_id, event, sent = notify_message(ctx)
    with ctx.injector.active(fault):
        response = invoke(ctx, "NotifyFunction", event)
    assert failed_items(response) == [message_id]
    assert failed_items(invoke(ctx, "NotifyFunction", event)) == []
    assert sent() == 0


def fix_agenda(ctx: Context, fault: Fault, failing: bool) -> Any:
    """The scheduled invocation under the fault; a failing one raises (so the scheduler
    retries it) and its retry runs without the fault."""
    with ctx.injector.active(fault):
        if not failing:
            return invoke(ctx, "AgendaFunction", {})
        with pytest.raises(StorageUnavailable):
            invoke(ctx, "AgendaFunction", {})
    return invoke(ctx, "AgendaFunction", {})


def agenda(ctx: Context, fault: Fault, failing: bool) -> None:
    from vhcore import clock
    from vhcore.house import current_house
    from vhcore.logic.agenda import closing_triage

    triage_date = closing_triage(clock.now(), current_house())
    assert triage_date is not None
    key = {"pk": {"S": f"AGENDA#{triage_date.isoformat()}"}, "sk": {"S": "AGENDA"}}
    dynamodb(ctx.system).delete_item(TableName=table(ctx.system, "RegistrationsTable"), Key=key)

    def sends(calls: list[Call]) -> int:
        return calls.count(("agenda", "sqs", "SendMessage")) - fault.failed(("sqs", "SendMessage"))

    with ctx.injector.recording() as calls:
        result = fix_agenda(ctx, fault, failing)
        again = invoke(ctx, "AgendaFunction", {})  # a repeated schedule changes nothing
    assert result["fixed"] is True
    assert again["fixed"] is False
    fixed = dynamodb(ctx.system).get_item(
        TableName=table(ctx.system, "RegistrationsTable"), Key=key
    )
    assert "notified_at" in fixed["Item"]
    # Staff are told once; when only recording that they were told failed, twice.
    told_twice = failing and ("dynamodb", "UpdateItem") in fault.targets
    assert sends(calls) == (2 if told_twice else 1)


def agenda_repeated(ctx: Context, fault: Fault, failing: bool) -> None:
    """The schedule fires again for an agenda that is fixed and sent: nothing changes; when
    reading the agenda fails, the invocation fails and the retry changes nothing either."""
    invoke(ctx, "AgendaFunction", {})
    with ctx.injector.recording() as calls:
        assert fix_agenda(ctx, fault, failing)["fixed"] is False
    assert ("agenda", "sqs", "SendMessage") not in calls


# --- the table ---------------------------------------------------------------------------------

FAULT_TABLE: dict[Call, Scenario] = {
    ("intake", "kms", "GenerateDataKey"): intake_stores_once,
    ("intake", "dynamodb", "PutItem"): intake_stores_once,  # idempotency: in progress
    ("intake", "dynamodb", "TransactWriteItems"): intake_stores_once,
    ("intake", "dynamodb", "UpdateItem"): intake_completion_lost,  # idempotency: completed
    ("intake", "dynamodb", "DeleteItem"): intake_record_not_released,  # only after a failure
    ("workflow_start", "sfn", "StartExecution"): workflow_start,
    ("workflow_start", "dynamodb", "DeleteItem"): workflow_expired,
    ("triage", "dynamodb", "GetItem"): triage_enqueue,
    ("triage", "dynamodb", "UpdateItem"): triage_enqueue,
    ("triage", "sfn", "SendTaskSuccess"): triage_resume,
    ("notify", "dynamodb", "GetItem"): notify_registrant,
    ("notify", "kms", "Decrypt"): notify_registrant,
    ("notify", "dynamodb", "PutItem"): notify_registrant,  # the e-mail's claim
    ("notify", "sesv2", "SendEmail"): notify_registrant,
    ("notify", "dynamodb", "UpdateItem"): notify_sent_not_recorded,
    ("notify", "dynamodb", "DeleteItem"): notify_claim_not_released,  # only after a failure
    ("agenda", "dynamodb", "Query"): agenda,
    ("agenda", "dynamodb", "PutItem"): agenda,
    ("agenda", "sqs", "SendMessage"): agenda,
    ("agenda", "dynamodb", "UpdateItem"): agenda,  # staff were told
    ("agenda", "dynamodb", "GetItem"): agenda_repeated,
    ("admin", "dynamodb", "Query"): admin_get("/queue"),
    ("admin", "dynamodb", "Scan"): admin_get("/figures"),
    ("admin", "dynamodb", "GetItem"): admin_read_case,
    ("admin", "dynamodb", "PutItem"): admin_read_case,  # the audit record
    ("admin", "kms", "Decrypt"): admin_read_case,
    ("admin", "dynamodb", "UpdateItem"): admin_action(
        "contact", lambda i: "contacted_at" not in i, lambda e: e["entry"]["contacted"] is True
    ),
    ("admin", "sqs", "SendMessage"): admin_action(
        "information-request",
        lambda i: i["status"]["S"] == "received",
        lambda e: e["entry"]["status"] == "information_requested",
    ),
    ("admin", "kms", "GenerateDataKey"): admin_decision,
    ("admin", "sfn", "SendTaskSuccess"): admin_decision,
}
# Error paths only: not made by the happy paths, exercised by their scenario.
ERROR_PATH_ONLY = {("intake", "dynamodb", "DeleteItem"), ("notify", "dynamodb", "DeleteItem")}
# Never retried by the client: SES may have sent the e-mail when its answer timed out.
NOT_RETRIED = {(("sesv2", "SendEmail"), "timeout")}


def attempts_expected(target: tuple[str, str], kind: str, failures: int | None) -> int:
    if (target, kind) in NOT_RETRIED:
        return 1
    return ATTEMPTS if failures is None else failures + 1


# Transient faults change nothing for the user in these scenarios (retried within the call).
TRANSIENT = [c for c in FAULT_TABLE if c not in ERROR_PATH_ONLY]


@pytest.fixture
def ctx(
    local_system: LocalSystem,
    injector: Injector,
    staff_tokens: Callable[[str], dict[str, Any]],
) -> Context:
    return Context(local_system, injector, lambda group: str(staff_tokens(group)["id_token"]))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("call", list(FAULT_TABLE), ids="-".join)
def test_a_persistent_fault_gives_the_documented_answer_and_keeps_nothing_half_done(
    ctx: Context, call: Call, kind: str
) -> None:
    fault = Fault(kind, (call[1:],))
    FAULT_TABLE[call](ctx, fault, True)
    expected = attempts_expected(call[1:], kind, None)
    assert fault.attempts[call[1:]] == expected, "every attempt failed: the clients retried"


@pytest.mark.parametrize(
    ("call", "kind"),
    [(c, k) for c in TRANSIENT for k in (KINDS if c[0] == "intake" else ("timeout",))],
    ids=lambda v: "-".join(v) if isinstance(v, tuple) else v,
)
def test_a_transient_fault_is_retried_and_the_user_sees_success(
    ctx: Context, call: Call, kind: str
) -> None:
    fault = Fault(kind, (call[1:],), failures=1)
    FAULT_TABLE[call](ctx, fault, False)
    expected = attempts_expected(call[1:], kind, 1)
    assert fault.attempts[call[1:]] >= expected, "the first attempt failed, a retry succeeded"


@pytest.mark.parametrize("failures", [1, None], ids=["once", "every-attempt"])
def test_ses_sends_then_times_out_and_the_retried_message_sends_one_email(
    ctx: Context, failures: int | None
) -> None:
    """SES sends the e-mail and its answer times out: the client does not send it again, and
    neither does the redelivery of the message (issue #15: each e-mail exactly once)."""
    _message_id, event, sent = notify_message(ctx)
    fault = Fault("sent-then-timeout", (("sesv2", "SendEmail"),), failures=failures)
    with ctx.injector.active(fault):
        first = invoke(ctx, "NotifyFunction", event)
        assert fault.attempts[("sesv2", "SendEmail")] == 1, "the client did not resend it"
        again = invoke(ctx, "NotifyFunction", event)  # the message delivered again
    assert failed_items(first) == failed_items(again) == []
    assert fault.attempts[("sesv2", "SendEmail")] == 1, "the redelivery did not send it"
    assert sent() == 1, "exactly one e-mail in the outbox"


def test_every_call_of_the_happy_paths_is_in_the_fault_table(ctx: Context) -> None:
    """Runs every scenario without a fault and records the calls each handler makes."""
    with ctx.injector.recording() as calls:
        for scenario in dict.fromkeys(FAULT_TABLE[call] for call in TRANSIENT):
            scenario(ctx, Fault("none", ()), False)
    made = {call for call in calls if call[0] != "other"}
    assert made - set(FAULT_TABLE) == set(), "AWS calls without a fault test"
    assert set(FAULT_TABLE) - ERROR_PATH_ONLY <= made, "table entries no happy path makes"


def test_the_product_clients_retry_in_standard_mode_with_short_timeouts(
    local_system: LocalSystem,
) -> None:
    from vhcore.dal import aws, idempotency

    table = os.environ["IDEMPOTENCY_TABLE"]
    clients = [aws.client("dynamodb"), idempotency.persistence_layer(table).client]
    for config in (c.meta.config for c in clients):
        assert config.retries["mode"] == "standard"
        assert config.retries["total_max_attempts"] == ATTEMPTS
        assert config.connect_timeout <= 2
        assert config.read_timeout <= 5
