"""Messages to the product's own queues. They carry ids and references, never names."""

from __future__ import annotations

from vhcore.dal.aws import calling, client
from vhcore.messages_queue import NotifyMessage


class SqsOutbox:
    """``vhcore.ports.Outbox`` on the notify queue."""

    def __init__(self, queue_url: str | None) -> None:
        self.queue_url = queue_url

    def notify(self, message: NotifyMessage) -> None:
        if not self.queue_url:
            from vhcore.errors import ConfigurationError

            raise ConfigurationError("this function has no notify queue")
        with calling("sending a queue message"):
            client("sqs").send_message(
                QueueUrl=self.queue_url, MessageBody=message.model_dump_json(exclude_none=True)
            )
