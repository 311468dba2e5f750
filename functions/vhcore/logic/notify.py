"""Send the e-mail a queue message asks for. Messages carry a kind and an id; everything
else is read here, so no queue ever holds personal data.

Each message's e-mail is sent at most once, and exactly once unless the mail service's answer
is lost. Before sending, notify claims the message's key (``once_key``) in ``Sent``; a
message whose key has a record is not sent again. What becomes of the claim:
- the mail service accepted the e-mail: ``sent``;
- it refused it or could not be reached (the e-mail certainly did not go): the claim is
  released and the message fails, so its redelivery sends it;
- the request reached it but the answer did not (a read timeout; SES v2 ``SendEmail`` has no
  idempotency token, so nothing can ask whether it went): ``unknown``, never sent again, the
  ``EmailOutcomeUnknown`` metric raises an alarm. A receipt missed is better than two: a
  person can check SES's sending events and send it by hand; a second one cannot be undone.
- the function died in between: the claim stays ``sending``; a redelivery finds it older than
  ``LONGEST_SEND`` and reports it as unknown in the same way."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from vhcore import clock
from vhcore.emails import FOR_REGISTRANT, Email, render, site_url
from vhcore.errors import DeliveryUnknown, StorageUnavailable
from vhcore.house import current_house
from vhcore.log import logger, metrics
from vhcore.logic.triage import load
from vhcore.messages_queue import NotifyMessage
from vhcore.model import OutgoingEmail
from vhcore.ports import Services

TO_REGISTRANT = FOR_REGISTRANT
TO_STAFF = frozenset({"reminder", "agenda", "urgent", "announce", "digest"})
# An escalation goes to someone other than the team that let the promise lapse.
TO_ESCALATION = frozenset({"escalation"})
# The notify function's timeout (infra/template.yaml; tests/infrastructure checks they agree):
# a claim older than this is no longer being sent by anyone.
LONGEST_SEND = dt.timedelta(seconds=30)


def once_key(message: NotifyMessage, delivery_id: str) -> str:
    """The idempotency key of a message: its kind and subject, and the producer's
    ``message_id`` (the same in each copy a producer's retry sends). A message without one
    (queued before producers named their messages) falls back to the queue's id of this
    delivery, the same in each redelivery of it."""
    subject = message.registration_id or message.triage_date or ""
    return f"{message.kind}#{subject}#{message.message_id or delivery_id}"


def _unknown(kind: str, why: str) -> None:
    logger.error(f"e-mail perhaps sent, not sent again: {why}", extra={"kind": kind})
    metrics.add_metric(name="EmailOutcomeUnknown", unit=MetricUnit.Count, value=1)


def _send(services: Services, key: str, kind: str, to: str, email: Email) -> bool:
    """Send unless the key has a record; whether this call sent it."""
    earlier = services.sent.claim(key)
    if earlier is not None:
        if earlier.state == "sending" and clock.now() - earlier.since > LONGEST_SEND:
            _unknown(kind, "an earlier attempt ended while sending")
        else:
            logger.info("e-mail not sent again", extra={"kind": kind, "state": earlier.state})
        return False
    outgoing = OutgoingEmail(to=to, subject=email.subject, text=email.text, html=email.html)
    try:
        services.mailer.send(outgoing)
    except DeliveryUnknown:
        _unknown(kind, "the mail service's answer was lost")
        services.sent.settle(key, "unknown")
        return False
    except Exception:
        services.sent.release(key)  # certainly not sent: the redelivery sends it
        raise
    try:
        services.sent.settle(key, "sent")
    except StorageUnavailable:
        # Sent; the claim stays and keeps a redelivery from sending it again.
        logger.warning("e-mail sent, but not recorded as sent", extra={"kind": kind})
    return True


def _organisation(partner_id: str) -> str:
    """The partner's name for its id (an organisation type, never a person)."""
    for partner in current_house().partners:
        if partner.id == partner_id:
            return partner.name
    return partner_id


def handle(
    services: Services,
    message: NotifyMessage,
    staff_mailbox: str,
    delivery_id: str = "",
    escalation_mailbox: str | None = None,
) -> None:
    """Render and send the e-mail of one message, to the registrant, the staff or (an
    escalation) the escalation mailbox, once per ``once_key`` (``delivery_id``: the queue's
    id of this delivery)."""
    key = once_key(message, delivery_id)
    kind = message.kind
    if kind == "digest":
        if message.day is None or message.references is None:
            raise ValueError("a digest message names its day and references")
        email = render(kind, day=message.day, references=list(message.references))
        if _send(services, key, kind, staff_mailbox, email):
            logger.info("digest e-mail sent", extra={"kind": kind})
        return
    if kind == "agenda":
        if message.triage_date is None or message.count is None:
            raise ValueError("an agenda message names its triage date and count")
        email = render(kind, triage_date=message.triage_date, count=message.count)
        if _send(services, key, kind, staff_mailbox, email):
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
        # A placement names its date in the message: it is queued before it is recorded.
        "triage_date": message.triage_date or registration.triage_date,
        "staff_url": f"{site_url()}/beheer/#{registration.reference}",
        "about": message.about,
        "organisation": _organisation(registration.registrant_organisation),
    }
    if kind == "decision":
        context["outcome"] = current_house().outcome(str(registration.outcome))
    email = render(kind, **context)
    if kind in TO_REGISTRANT:
        if registration.contact is None:
            raise ValueError("a registration without the registrant's address")
        to = services.cipher.decrypt(registration.contact, registration.id, "contact")
    elif kind in TO_ESCALATION:
        if not escalation_mailbox:
            raise ValueError("an escalation needs the escalation mailbox")
        to = escalation_mailbox
    else:
        to = staff_mailbox
    if _send(services, key, kind, to, email):
        metrics.add_metric(name=f"Email-{kind}", unit=MetricUnit.Count, value=1)
        logger.info("e-mail sent", extra={"kind": kind})
