"""The AWS implementations of the ports, wired from the function's settings. Nothing here
calls AWS or imports the SDK until a port is used."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vhcore.ports import Services
from vhcore.settings import Setting, settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


def aws_services(*required: Setting, context: LambdaContext | None = None) -> Services:
    """The ports on AWS for this process. ``required``: the settings the calling function
    cannot work without, checked together (one error naming each one missing). ``context``:
    the invocation's, for the idempotency records (the time left when one is saved)."""
    from vhcore.dal.crypto import KmsCipher
    from vhcore.dal.dynamodb import DynamoStore
    from vhcore.dal.idempotency import PowertoolsOnce
    from vhcore.dal.mail import SesMailer
    from vhcore.dal.queues import SqsOutbox
    from vhcore.dal.sent import DynamoSent
    from vhcore.dal.workflow import StepFunctionsWorkflow

    current = settings().require("registrations_table", *required)
    if context is not None:
        from vhcore.dal.idempotency import register_lambda_context

        register_lambda_context(context)
    return Services(
        store=DynamoStore(current.value("registrations_table"), current.audit_table),
        cipher=KmsCipher(current.data_key_arn, current.contact_key_arn),
        outbox=SqsOutbox(current.notify_queue_url),
        mailer=SesMailer(current.sender_email, current.ses_configuration_set),
        workflow=StepFunctionsWorkflow(current.workflow_arn),
        once=PowertoolsOnce(current.idempotency_table),
        sent=DynamoSent(current.idempotency_table),
    )
