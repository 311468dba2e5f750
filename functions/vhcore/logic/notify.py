"""Send the e-mail a queue message asks for. Messages carry a kind and an id; everything
else is read here, so no queue ever holds personal data."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from vhcore.dal import crypto, mail, registrations
from vhcore.emails import render, site_url
from vhcore.errors import ConfigurationError, NotFound
from vhcore.house import current_house
from vhcore.log import logger, metrics

TO_REGISTRANT = {"receipt", "information-request", "decision"}
TO_STAFF = {"reminder", "escalation", "agenda"}


def _staff_mailbox() -> str:
    mailbox = os.environ.get("STAFF_MAILBOX")
    if not mailbox:
        raise ConfigurationError("STAFF_MAILBOX is not set")
    return mailbox


def handle(message: dict[str, Any]) -> None:
    kind = str(message["kind"])
    if kind not in TO_REGISTRANT | TO_STAFF:
        raise ValueError(f"unknown notification kind {kind!r}")
    if kind == "agenda":
        email = render(kind, triage_date=message["triage_date"], count=int(message["count"]))
        mail.send(to=_staff_mailbox(), subject=email.subject, text=email.text, html=email.html)
        logger.info("agenda e-mail sent", extra={"kind": kind})
        return
    registration_id = str(message["registration_id"])
    item = registrations.get_registration(registration_id)
    if item is None:
        raise NotFound(registration_id)
    logger.append_keys(registration_id=registration_id, reference=item["reference"])
    context: dict[str, Any] = {
        "reference": item["reference"],
        "received_at": item["received_at"],
        "respond_by": item["respond_by"],
        "triage_date": item.get("triage_date"),
        "staff_url": f"{site_url()}/beheer/#{item['reference']}",
    }
    if kind == "decision":
        context["outcome"] = current_house().outcome(str(item["outcome"]))
    email = render(kind, **context)
    if kind in TO_REGISTRANT:
        to = crypto.decrypt_contact(str(item["contact"]), registration_id)
    else:
        to = _staff_mailbox()
    mail.send(to=to, subject=email.subject, text=email.text, html=email.html)
    metrics.add_metric(name=f"Email-{kind}", unit=MetricUnit.Count, value=1)
    logger.info("e-mail sent", extra={"kind": kind})
