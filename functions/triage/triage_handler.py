"""Triage queue consumer: places registrations on their triage agenda, runs the follow-up's
steps (``vhcore.logic.followup``) and parks the workflow's task tokens until staff act.
One bad message never blocks the others."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from vhcore.batch import PartialItemFailureResponse, Record, message_id, partial_batch
from vhcore.dal.services import aws_services
from vhcore.log import logger
from vhcore.logic import followup, triage
from vhcore.messages_queue import TriageMessage


def record_handler(record: Record) -> None:
    message = TriageMessage.model_validate_json(record["body"])
    services = aws_services()
    match message.kind:
        case "enqueue":
            triage.enqueue(services, message.registration_id)
        case "follow-up":
            followup.follow_up(
                aws_services("notify_queue_url"),
                message.registration_id,
                message.require_token(),
                message.state,
            )
        case "await-event":
            followup.await_event(
                services, message.registration_id, message.require_token(), message.seen or 0
            )
        case "await-decision":
            triage.park_decision_token(services, message.registration_id, message.require_token())
        case "await-close":
            triage.park_close_token(services, message.registration_id, message.require_token())


consume = partial_batch(message_id, record_handler)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume(event, context)
