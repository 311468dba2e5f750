"""EventBridge Scheduler, at the house's weekly cut-off: fix the coming triage's agenda."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from vhcore.log import logger
from vhcore.logic.agenda import fix_agenda


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = fix_agenda()
    return {"fixed": result is not None, **(result or {})}
