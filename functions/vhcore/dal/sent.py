"""``vhcore.ports.Sent`` on the idempotency table: one ``SENT#<key>`` item per message
(``vhcore.dal.items.SentItem``), claimed with a conditional put, expiring after the window
in which the message can come again."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from vhcore import clock
from vhcore.dal.aws import calling, client
from vhcore.dal.dynamodb import _typed, _untyped
from vhcore.dal.items import SentItem, sent_key
from vhcore.errors import ConfigurationError
from vhcore.model import SentRecord

# A message can come again for as long as its dead-letter queue keeps it (14 days).
WINDOW = dt.timedelta(days=15)
CONDITION_FAILED = "ConditionalCheckFailedException"


class DynamoSent:
    def __init__(self, table_name: str | None) -> None:
        self.table_name = table_name

    def _table(self) -> str:
        if not self.table_name:
            raise ConfigurationError("this function has no idempotency table")
        return self.table_name

    def claim(self, key: str) -> SentRecord | None:
        now = clock.now()
        item = SentItem(
            **sent_key(key),
            state="sending",
            since=now,
            owner=uuid.uuid4().hex,
            expiration=int((now + WINDOW).timestamp()),
        )
        with calling("recording an e-mail", expected=(CONDITION_FAILED,)) as call:
            client("dynamodb").put_item(
                TableName=self._table(),
                Item=_typed(item.attributes()),
                ConditionExpression="attribute_not_exists(id)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        if call.refused is None:
            return None
        found: dict[str, Any] = dict(call.refused.response.get("Item") or {})  # type: ignore[call-overload]
        earlier = SentItem.model_validate(_untyped(found))
        # The SDK retried this very put after its first write succeeded: still ours.
        return None if earlier.owner == item.owner else earlier.record()

    def settle(self, key: str, state: Literal["sent", "unknown"]) -> None:
        with calling("recording an e-mail"):
            client("dynamodb").update_item(
                TableName=self._table(),
                Key=_typed(sent_key(key)),
                UpdateExpression="SET #s = :s",
                ConditionExpression="attribute_exists(id)",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues=_typed({":s": state}),
            )

    def release(self, key: str) -> None:
        with calling("releasing an e-mail's record"):
            client("dynamodb").delete_item(TableName=self._table(), Key=_typed(sent_key(key)))
