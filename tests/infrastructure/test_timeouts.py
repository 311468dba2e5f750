"""The SDK's timeouts and retries against the functions' timeouts (issue #15): a function
stopped in the middle of a call's retries leaves its work half done (notify: an e-mail
claimed, perhaps sent, never settled)."""

from __future__ import annotations

from typing import Any

from botocore.config import Config

from vhcore.dal import aws
from vhcore.logic import notify
from vhtools.template import resources, transformed

MAX_BACKOFF = 20  # botocore's standard mode: random(0, 1) x 2^(retry - 1), at most 20 s
# A Powertools idempotency record (intake) is written with a client of its own; its config
# is vhcore.dal.idempotency's (connect 2 s, read 4 s, three attempts).
IDEMPOTENCY = Config(
    connect_timeout=2, read_timeout=4, retries={"total_max_attempts": 3, "mode": "standard"}
)
# Functions whose timeout is still shorter than one call's worst case: behind API Gateway
# (intake, admin, sign-in: its integration times out at 29 s, and a person waits) or
# consumers that leave nothing half done when stopped (their event is delivered again).
# Not yet fitted; listed so that the list can only shrink.
NOT_YET_FITTED = {
    "IntakeFunction",
    "AdminFunction",
    "SignInFunction",
    "TriageFunction",
    "WorkflowStartFunction",
    "AgendaFunction",
}


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


def test_the_budget_of_one_call_counts_every_attempt_and_the_back_off() -> None:
    assert call_budget(aws.CONFIG) == 3 * (2 + 5) + 1 + 2
    assert call_budget(IDEMPOTENCY) == 3 * (2 + 4) + 1 + 2


def test_every_sdk_call_of_notify_fits_in_its_timeout_with_all_its_retries() -> None:
    timeout = timeouts()["NotifyFunction"]
    assert call_budget(aws.CONFIG) < timeout
    # A claim older than the function's timeout is no longer being sent by anyone.
    assert notify.LONGEST_SEND.total_seconds() == timeout


def test_the_notify_queue_hides_a_message_longer_than_notify_can_run() -> None:
    queue = resources(transformed(), "AWS::SQS::Queue")["NotifyQueue"]
    assert int(queue["VisibilityTimeout"]) >= 6 * timeouts()["NotifyFunction"]


def test_the_functions_not_yet_fitted_are_still_too_short_and_the_others_fit() -> None:
    budget = max(call_budget(aws.CONFIG), call_budget(IDEMPOTENCY))
    too_short = {name for name, timeout in timeouts().items() if timeout <= budget}
    assert too_short == NOT_YET_FITTED
