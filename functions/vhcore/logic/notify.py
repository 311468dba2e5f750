"""Send the e-mail a queue message asks for. Messages carry a kind and an id; everything
else is read here, so no queue ever holds personal data."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from vhcore.emails import Email, render, site_url
from vhcore.house import current_house
from vhcore.log import logger, metrics
from vhcore.logic.triage import load
from vhcore.messages_queue import NotifyMessage
from vhcore.model import OutgoingEmail
from vhcore.ports import Services

TO_REGISTRANT = frozenset({"receipt", "information-request", "decision"})
TO_STAFF = frozenset({"reminder", "escalation", "agenda"})


def _send(services: Services, to: str, email: Email) -> None:
    services.mailer.send(
        OutgoingEmail(to=to, subject=email.subject, text=email.text, html=email.html)
    )


def handle(services: Services, message: NotifyMessage, staff_mailbox: str) -> None:
    """Render and send the e-mail of one message, to the registrant or to the staff."""
    kind = message.kind
    if kind == "agenda":
        if message.triage_date is None or message.count is None:
            raise ValueError("an agenda message names its triage date and count")
        email = render(kind, triage_date=message.triage_date, count=message.count)
        _send(services, staff_mailbox, email)
        logger.info("agenda e-mail sent", extra={"kind": kind})
        return
    if message.registration_id is None:
        raise ValueError(f"a {kind} message names its registration")
    registration = load(services, message.registration_id)
    if kind == "receipt" and not registration.address_matches_organisation:
        # Nobody can have receipts sent to an address of their choosing: the confirmation
        # page told the registrant so, and staff see it on the case.
        logger.info(
            "no receipt: the address is not the chosen organisation's", extra={"kind": kind}
        )
        metrics.add_metric(name="ReceiptWithheld", unit=MetricUnit.Count, value=1)
        return
    context: dict[str, Any] = {
        "reference": registration.reference,
        "received_at": registration.received_at,
        "respond_by": registration.respond_by,
        "triage_date": registration.triage_date,
        "staff_url": f"{site_url()}/beheer/#{registration.reference}",
    }
    if kind == "decision":
        context["outcome"] = current_house().outcome(str(registration.outcome))
    email = render(kind, **context)
    if kind in TO_REGISTRANT:
        if registration.contact is None:
            raise ValueError("a registration without the registrant's address")
        to = services.cipher.decrypt(registration.contact, registration.id, "contact")
    else:
        to = staff_mailbox
    _send(services, to, email)
    metrics.add_metric(name=f"Email-{kind}", unit=MetricUnit.Count, value=1)
    logger.info("e-mail sent", extra={"kind": kind})
