"""The SDK's timeouts and retries against the functions' timeouts (issue #15): a function
stopped in the middle of a call's retries leaves its work half done (notify: an e-mail
claimed, perhaps sent, never settled; intake: a person waiting for an answer that never comes,
the gateway's own timeout answering first)."""

from __future__ import annotations

from typing import Any

import botocore.session
from botocore.config import Config

from signin import signin_handler
from vhcore.dal import aws, crypto, idempotency
from vhcore.logic import notify
from vhtools.template import resources, transformed

MAX_BACKOFF = 20  # botocore's standard mode: random(0, 1) x 2^(retry - 1), at most 20 s
# The HTTP API answers 503 itself after 30 s; a function behind it must be done before.
HTTP_API_INTEGRATION_TIMEOUT = 30


def call_budget(config: Config) -> float:
    """The longest one SDK call can take: each attempt waits for its connection and for its
    answer, and before each retry the client backs off at most 2^(retry - 1) s."""
    retries: dict[str, Any] = getattr(config, "retries", None) or {}
    attempts = int(retries["total_max_attempts"])
    backoff = sum(min(2 ** (retry - 1), MAX_BACKOFF) for retry in range(1, attempts))
    per_attempt = float(getattr(config, "connect_timeout")) + float(  # noqa: B009
        getattr(config, "read_timeout")  # noqa: B009
    )
    return float(attempts * per_attempt + backoff)


def timeouts() -> dict[str, int]:
    functions = resources(transformed(), "AWS::Lambda::Function")
    return {name: int(function["Timeout"]) for name, function in functions.items()}


def _function(reference: Any) -> str:
    """The logical id a ``FunctionName`` refers to (``Ref`` or ``GetAtt ... .Arn``)."""
    if "Ref" in reference:
        return str(reference["Ref"])
    return str(reference["Fn::GetAtt"][0])


def behind_the_http_api() -> set[str]:
    permissions = resources(transformed(), "AWS::Lambda::Permission").values()
    return {
        _function(p["FunctionName"])
        for p in permissions
        if p["Principal"] == "apigateway.amazonaws.com"
    }


def fed_by_queues() -> dict[str, str]:
    """{function: queue} for every function an SQS queue invokes."""
    mappings = resources(transformed(), "AWS::Lambda::EventSourceMapping").values()
    queues = resources(transformed(), "AWS::SQS::Queue")
    found = {}
    for mapping in mappings:
        source = mapping["EventSourceArn"]
        if isinstance(source, dict) and "Fn::GetAtt" in source:
            queue = source["Fn::GetAtt"][0]
            if queue in queues:
                found[_function(mapping["FunctionName"])] = queue
    return found


def test_the_budget_of_one_call_counts_every_attempt_and_the_back_off() -> None:
    assert call_budget(aws.CONFIG) == 3 * (1 + 3) + 1 + 2


def test_every_function_outlasts_one_sdk_call_with_all_its_retries() -> None:
    found = timeouts()
    # All of them: the API's, the consumers, the scheduled and the operator's.
    assert {"IntakeFunction", "AdminFunction", "SignInFunction", "NotifyFunction"} <= set(found)
    assert {"TriageFunction", "WorkflowStartFunction", "AgendaFunction"} <= set(found)
    too_short = {name: t for name, t in found.items() if t <= call_budget(aws.CONFIG)}
    assert too_short == {}


def test_the_functions_behind_the_http_api_answer_before_the_gateway_gives_up() -> None:
    api = behind_the_http_api()
    assert {"IntakeFunction", "AdminFunction", "SignInFunction"} <= api
    for name in api:
        assert timeouts()[name] < HTTP_API_INTEGRATION_TIMEOUT, name
    # Sign-in calls no AWS API, only Cognito's token endpoint: connecting, then the answer.
    assert timeouts()["SignInFunction"] > 2 * signin_handler.TOKEN_TIMEOUT


def test_the_clients_libraries_create_use_the_same_timeouts() -> None:
    session = botocore.session.Session()
    session.set_credentials("none", "none")
    session.set_config_variable("region", "eu-central-1")
    key = "arn:aws:kms:eu-central-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    kms = crypto._legacy_key_provider(key, session).key_provider._regional_clients["eu-central-1"]
    layer = idempotency._persistence_layer("idempotency", aws._session(session))
    for client in (kms, layer.client):
        config: Any = client.meta.config
        assert (config.connect_timeout, config.read_timeout) == (1, 3)
        assert call_budget(config) == call_budget(aws.CONFIG)


def test_every_sdk_call_of_notify_fits_in_its_timeout_with_all_its_retries() -> None:
    timeout = timeouts()["NotifyFunction"]
    assert call_budget(aws.CONFIG) < timeout
    # A claim older than the function's timeout is no longer being sent by anyone.
    assert notify.LONGEST_SEND.total_seconds() == timeout


def test_each_queue_hides_a_message_longer_than_its_function_can_run() -> None:
    queues = resources(transformed(), "AWS::SQS::Queue")
    fed = fed_by_queues()
    assert {"NotifyFunction", "TriageFunction"} <= set(fed)
    for function, queue in fed.items():
        assert int(queues[queue]["VisibilityTimeout"]) >= 6 * timeouts()[function], queue
