"""Messages to the product's own queues. They carry ids and references, never names."""

from __future__ import annotations

import json
from typing import Any

from vhcore.dal.aws import calling, client


def send(queue_url: str, message: dict[str, Any]) -> None:
    with calling("sending a queue message"):
        client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(message))
