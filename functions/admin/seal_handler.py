"""Run by `make deploy` after each deploy: seal what an earlier version stored in clear.
Its role may read and rewrite the registrations and the audit log and encrypt with the data
key; it cannot decrypt."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from vhcore.dal.services import aws_services
from vhcore.log import logger
from vhcore.logic.upkeep import seal_legacy_text


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    return {"sealed": seal_legacy_text(aws_services("audit_table", "data_key_arn"))}
