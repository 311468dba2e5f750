"""The follow-up workflow (Step Functions): start once per registration, resume on events."""

from __future__ import annotations

import json
import os
from typing import Any

from vhcore.dal.aws import calling, client
from vhcore.errors import ConfigurationError

WORKFLOW_ENV = "WORKFLOW_ARN"


def start(registration_id: str, payload: dict[str, Any]) -> bool:
    """Start the workflow named after the registration. False when it already runs (a
    retried stream record); the name makes a second start impossible."""
    arn = os.environ.get(WORKFLOW_ENV)
    if not arn:
        raise ConfigurationError(f"{WORKFLOW_ENV} is not set")
    with calling("starting the workflow", expected={"ExecutionAlreadyExists"}) as call:
        client("stepfunctions").start_execution(
            stateMachineArn=arn, name=registration_id, input=json.dumps(payload)
        )
    return call.refused is None


def resume(token: str, output: dict[str, Any]) -> bool:
    """Resume a parked task. False when the token is no longer valid (already resumed)."""
    gone = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}
    with calling("resuming the workflow", expected=gone) as call:
        client("stepfunctions").send_task_success(taskToken=token, output=json.dumps(output))
    return call.refused is None
