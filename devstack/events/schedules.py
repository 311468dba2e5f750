"""EventBridge Scheduler schedules: each fires its target function on the simulated clock
(``SimClock.advance`` fires each at its moment; the pump's background thread fires those
that come due in real time) or on demand. When a schedule fires is ``devstack.cron``'s job."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from devstack.cron import ScheduleExpression
from devstack.events.core import Invocation, Pump
from vhtools.template import ACCOUNT, REGION, resources


@dataclass
class ScheduleSource:
    name: str
    logical_id: str
    function: str
    expression: ScheduleExpression | None
    arn: str
    input: str | None = None
    retries: int = 0
    next_fire: dt.datetime | None = None

    def event(self, moment: dt.datetime) -> Any:
        if self.input:
            return json.loads(self.input)
        # Scheduler's default notification for a Lambda target without Input.
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.scheduler",
            "account": ACCOUNT,
            "time": moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [self.arn],
            "detail": {},
        }

    def fire(self, pump: Pump, moment: dt.datetime) -> Any:
        """Invoke the target, retrying at once up to the schedule's MaximumRetryAttempts."""
        for attempt in range(self.retries + 1):
            try:
                result = pump.invoke(self.function, self.event(moment))
            except Exception as exc:
                error = type(exc).__name__
                pump.record(Invocation(self.function, self.name, 1, 1, error))
                if attempt == self.retries:
                    pump.log_failure(self.function, self.name, exc)
                    raise
            else:
                pump.record(Invocation(self.function, self.name, 1, 0))
                return result
        return None


def read_schedules(
    template: Mapping[str, Any],
    resolve: Callable[[Any], Any],
    function_by_arn: Callable[[str], str],
) -> dict[str, ScheduleSource]:
    """Every ``AWS::Scheduler::Schedule`` of the template, by logical id (not yet timed)."""
    schedules: dict[str, ScheduleSource] = {}
    for logical_id, declared in resources(template, "AWS::Scheduler::Schedule").items():
        props = resolve(declared)
        name = str(props.get("Name") or logical_id)
        group = str(props.get("GroupName") or "default")
        text = str(props.get("ScheduleExpression") or "").strip()
        enabled = props.get("State", "ENABLED") == "ENABLED" and bool(text)
        expression = (
            ScheduleExpression(text, str(props.get("ScheduleExpressionTimezone") or "UTC"))
            if enabled
            else None
        )
        target = props["Target"]
        schedules[logical_id] = ScheduleSource(
            name=name,
            logical_id=logical_id,
            function=function_by_arn(str(target["Arn"])),
            expression=expression,
            arn=f"arn:aws:scheduler:{REGION}:{ACCOUNT}:schedule/{group}/{name}",
            input=target.get("Input"),
            retries=int((target.get("RetryPolicy") or {}).get("MaximumRetryAttempts", 0)),
        )
    return schedules
