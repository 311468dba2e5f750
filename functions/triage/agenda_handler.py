"""EventBridge Scheduler: at the house's weekly cut-off, fix the coming triage's agenda; each
weekday morning (input ``{"job": "digest"}``), the digest of new registrations."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from vhcore.dal.services import aws_services
from vhcore.log import logger
from vhcore.logic.agenda import fix_agenda, send_digest


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("job") == "digest":  # the daily schedule's input (infra/template.yaml)
        digest = send_digest(aws_services("notify_queue_url"))
        return {
            "digest": digest is not None,
            "count": len(digest.references or ()) if digest else 0,
        }
    agenda = fix_agenda(aws_services("notify_queue_url"))
    if agenda is None:
        return {"fixed": False}
    return {"fixed": True, "triage_date": agenda.triage_date.isoformat(), "count": agenda.count}
