"""DynamoDB's TTL, which moto does not run: ``sweep`` deletes the items whose TTL attribute
(from the table's ``TimeToLiveSpecification``) is before the simulated now. Their stream
records carry ``userIdentity`` ``TTL_IDENTITY``, as AWS marks deletions by TTL."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Mapping
from typing import Any

from vhtools.template import resources

TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


class TtlReaper:
    """The TTL of the template's tables with TTL enabled (and created locally)."""

    def __init__(self, template: Mapping[str, Any], physical_names: Mapping[str, str]) -> None:
        # (table name, TTL attribute, key attribute names)
        self.tables: list[tuple[str, str, list[str]]] = []
        for logical_id, props in resources(template, "AWS::DynamoDB::Table").items():
            ttl = props.get("TimeToLiveSpecification") or {}
            if ttl.get("Enabled") and logical_id in physical_names:
                keys = [k["AttributeName"] for k in props["KeySchema"]]
                self.tables.append((physical_names[logical_id], ttl["AttributeName"], keys))
        self._deleted: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def was_ttl_deletion(self, table: str, keys: Mapping[str, Any]) -> bool:
        """Was this item (its stream record's ``Keys``) deleted by ``sweep``? Asked once."""
        marker = (table, json.dumps(keys, sort_keys=True))
        with self._lock:
            if marker in self._deleted:
                self._deleted.discard(marker)
                return True
        return False

    def sweep(self, dynamodb: Any, now: dt.datetime) -> int:
        """Delete the items whose TTL is before ``now``; returns how many."""
        epoch = str(int(now.timestamp()))
        deleted = 0
        for table, attribute, key_names in self.tables:
            names = {"#ttl": attribute} | {f"#k{i}": k for i, k in enumerate(key_names)}
            scan: dict[str, Any] = {
                "TableName": table,
                "FilterExpression": "#ttl < :now",
                "ProjectionExpression": ", ".join(f"#k{i}" for i in range(len(key_names))),
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": {":now": {"N": epoch}},
            }
            for _ in range(10_000):  # pages; bounded
                page = dynamodb.scan(**scan)
                for key in page.get("Items", []):
                    marker = (table, json.dumps(key, sort_keys=True))
                    with self._lock:
                        self._deleted.add(marker)
                    try:
                        dynamodb.delete_item(
                            TableName=table,
                            Key=key,
                            ConditionExpression="#ttl < :now",
                            ExpressionAttributeNames={"#ttl": attribute},
                            ExpressionAttributeValues={":now": {"N": epoch}},
                        )
                        deleted += 1
                    except dynamodb.exceptions.ConditionalCheckFailedException:
                        with self._lock:
                            self._deleted.discard(marker)
                if "LastEvaluatedKey" not in page:
                    break
                scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return deleted
