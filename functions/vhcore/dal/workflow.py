"""The follow-up workflow (Step Functions): start once per registration, resume on events."""

from __future__ import annotations

import json
import os
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from vhcore.dal.aws import client
from vhcore.errors import ConfigurationError, StorageUnavailable

WORKFLOW_ENV = "WORKFLOW_ARN"


def start(registration_id: str, payload: dict[str, Any]) -> bool:
    """Start the workflow named after the registration. False when it already runs (a
    retried stream record); the name makes a second start impossible."""
    arn = os.environ.get(WORKFLOW_ENV)
    if not arn:
        raise ConfigurationError(f"{WORKFLOW_ENV} is not set")
    try:
        client("stepfunctions").start_execution(
            stateMachineArn=arn, name=registration_id, input=json.dumps(payload)
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
            return False
        raise StorageUnavailable("starting the workflow failed") from exc
    except BotoCoreError as exc:
        raise StorageUnavailable("starting the workflow failed") from exc
    return True


def resume(token: str, output: dict[str, Any]) -> bool:
    """Resume a parked task. False when the token is no longer valid (already resumed)."""
    try:
        client("stepfunctions").send_task_success(taskToken=token, output=json.dumps(output))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}:
            return False
        raise StorageUnavailable("resuming the workflow failed") from exc
    except BotoCoreError as exc:
        raise StorageUnavailable("resuming the workflow failed") from exc
    return True
