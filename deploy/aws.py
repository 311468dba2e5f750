"""What the deploy steps read from AWS: the stack's parameters and outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import ClientError


def client(service: str, region: str) -> Any:
    """A client with the caller's own credentials (profile or environment), as sam uses."""
    return boto3.client(service, region_name=region)  # type: ignore[call-overload]


@dataclass(frozen=True)
class StackState:
    """A deployed stack's parameter values and outputs."""

    parameters: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)

    def has_custom_domain(self) -> bool:
        return bool(self.parameters.get("CustomDomainName"))


def stack_state(cloudformation: Any, stack_name: str) -> StackState | None:
    """The stack as deployed, or None when it does not exist (yet)."""
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    stack = stacks[0]
    if stack["StackStatus"] == "REVIEW_IN_PROGRESS":  # a change set was never executed
        return None
    return StackState(
        parameters={
            p["ParameterKey"]: p.get("ResolvedValue", p.get("ParameterValue", ""))
            for p in stack.get("Parameters", [])
        },
        outputs={o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
    )
