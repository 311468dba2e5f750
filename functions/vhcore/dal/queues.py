"""Messages to the product's own queues. They carry ids and references, never names."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from vhcore.dal.aws import client
from vhcore.errors import StorageUnavailable


def send(queue_url: str, message: dict[str, Any]) -> None:
    try:
        client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(message))
    except (ClientError, BotoCoreError) as exc:
        raise StorageUnavailable("sending a queue message failed") from exc
