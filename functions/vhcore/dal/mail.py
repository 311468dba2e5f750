"""E-mail through SES v2. Rendering happens in ``vhcore.emails``; this only sends."""

from __future__ import annotations

from vhcore.dal.aws import calling, client
from vhcore.errors import ConfigurationError
from vhcore.model import OutgoingEmail


class SesMailer:
    """``vhcore.ports.Mailer`` on SES, from the house's sender address."""

    def __init__(self, sender: str | None, configuration_set: str | None = None) -> None:
        self.sender = sender
        self.configuration_set = configuration_set

    def send(self, email: OutgoingEmail) -> None:
        if not self.sender:
            raise ConfigurationError("this function has no sender address")
        optional = (
            {"ConfigurationSetName": self.configuration_set} if self.configuration_set else {}
        )
        with calling("sending e-mail"):
            client("sesv2").send_email(
                FromEmailAddress=self.sender,
                Destination={"ToAddresses": [email.to]},
                Content={
                    "Simple": {
                        "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                        "Body": {
                            "Text": {"Data": email.text, "Charset": "UTF-8"},
                            "Html": {"Data": email.html, "Charset": "UTF-8"},
                        },
                    }
                },
                **optional,
            )
