"""The follow-up workflow (Step Functions): start once per registration, resume on events."""

from __future__ import annotations

import json

from vhcore.dal.aws import calling, client
from vhcore.dal.items import timestamp
from vhcore.errors import ConfigurationError
from vhcore.model import FollowUpState, Resumption, WorkflowInput

# A token that was used, timed out or belongs to an execution that ended.
GONE = frozenset({"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"})


class StepFunctionsWorkflow:
    """``vhcore.ports.Workflow`` on the house's state machine."""

    def __init__(self, state_machine_arn: str | None) -> None:
        self.arn = state_machine_arn

    def start(self, registration_id: str, given: WorkflowInput) -> bool:
        """False when it already runs (a retried stream record): the execution is named after
        the registration, which makes a second start impossible."""
        if not self.arn:
            raise ConfigurationError("this function starts no workflow")
        with calling("starting the workflow", expected={"ExecutionAlreadyExists"}) as call:
            client("stepfunctions").start_execution(
                stateMachineArn=self.arn, name=registration_id, input=_input(given)
            )
        return call.refused is None

    def stop(self, registration_id: str) -> None:
        """Stop the registration's execution; nothing to do when it ended or never ran."""
        if not self.arn:
            raise ConfigurationError("this function starts no workflow")
        execution = self.arn.replace(":stateMachine:", ":execution:") + f":{registration_id}"
        with calling("stopping the workflow", expected={"ExecutionDoesNotExist"}):
            client("stepfunctions").stop_execution(
                executionArn=execution, cause="Aanmelding verwijderd"
            )

    def resume(self, token: str, output: Resumption | FollowUpState) -> bool:
        with calling("resuming the workflow", expected=GONE) as call:
            client("stepfunctions").send_task_success(
                taskToken=token, output=output.model_dump_json(exclude_none=True)
            )
        return call.refused is None


def _input(given: WorkflowInput) -> str:
    """The execution's input; its moments in the stored form (the Wait states read them)."""
    return json.dumps(given.model_dump(mode="json") | {"respond_by": timestamp(given.respond_by)})
