"""E-mail through SES v2. Rendering happens in ``vhcore.emails``; this only sends."""

from __future__ import annotations

import os

from vhcore.dal.aws import calling, client
from vhcore.errors import ConfigurationError


def send(*, to: str, subject: str, text: str, html: str) -> str:
    sender = os.environ.get("SENDER_EMAIL")
    if not sender:
        raise ConfigurationError("SENDER_EMAIL is not set")
    configuration_set = os.environ.get("SES_CONFIGURATION_SET")
    with calling("sending e-mail"):
        response = client("sesv2").send_email(
            FromEmailAddress=sender,
            Destination={"ToAddresses": [to]},
            Content={
                "Simple": {
                    "Subject": {"Data": subject, "Charset": "UTF-8"},
                    "Body": {
                        "Text": {"Data": text, "Charset": "UTF-8"},
                        "Html": {"Data": html, "Charset": "UTF-8"},
                    },
                }
            },
            **({"ConfigurationSetName": configuration_set} if configuration_set else {}),
        )
    return str(response.get("MessageId", ""))
