"""E-mail through SES v2. Rendering happens in ``vhcore.emails``; this only sends.

SES v2 ``SendEmail`` has no idempotency token: a request that timed out after SES read it
may have sent the e-mail, and the SDK's retry would send it again. So the SDK never retries
a ``SendEmail`` whose request may have reached SES (a read timeout, a connection closed
while waiting for the answer); the mailer raises ``DeliveryUnknown`` instead. Throttling, a
5xx and a connection that was never made are retried as usual: nothing was sent."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

from vhcore.dal.aws import calling, client
from vhcore.errors import ConfigurationError, DeliveryUnknown, StorageUnavailable
from vhcore.model import OutgoingEmail

# Failures after the request was sent: whether SES acted on it is unknown.
MAYBE_SENT = (ReadTimeoutError, ConnectionClosedError)


def _no_resend(caught_exception: Exception | None = None, **_: Any) -> None:
    """A ``needs-retry`` hook that runs before the retry handler: ends the call with the
    error instead of a retry when the request may have reached SES."""
    if isinstance(caught_exception, MAYBE_SENT):
        raise caught_exception


def _ses() -> Any:
    ses = client("sesv2")
    ses.meta.events.register_first(
        "needs-retry.sesv2.SendEmail", _no_resend, unique_id="vh-no-resend"
    )
    return ses


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
        try:
            with calling("sending e-mail"):
                _ses().send_email(
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
        except StorageUnavailable as exc:
            if isinstance(exc.__cause__, MAYBE_SENT):
                raise DeliveryUnknown("sending e-mail: the answer was lost") from None
            raise
