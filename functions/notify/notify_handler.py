"""Notify queue consumer: renders Dutch e-mails without personal data of betrokkenen and
sends them with SES. A message that keeps failing ends in the dead-letter queue."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from vhcore.batch import PartialItemFailureResponse, Record, message_id, partial_batch
from vhcore.dal.services import aws_services
from vhcore.log import logger, metrics
from vhcore.logic import notify
from vhcore.messages_queue import NotifyMessage
from vhcore.settings import settings


def record_handler(record: Record) -> None:
    services = aws_services(
        "contact_key_arn",
        "sender_email",
        "staff_mailbox",
        "escalation_mailbox",
        "idempotency_table",
    )
    message = NotifyMessage.model_validate_json(record["body"])
    notify.handle(
        services,
        message,
        staff_mailbox=settings().value("staff_mailbox"),
        delivery_id=message_id(record),
        escalation_mailbox=settings().value("escalation_mailbox"),
    )


consume = partial_batch(message_id, record_handler)


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume(event, context)
