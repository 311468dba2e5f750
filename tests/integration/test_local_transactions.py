"""DynamoDB transactions on the local stack's emulator (``devstack.transactions``): all or
nothing, in the same table object, without copying the table."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import Item

from devstack.provision import client
from devstack.stack import LocalSystem
from vhtools.template import ACCOUNT, REGION

PREFIX = "tx-"


@pytest.fixture
def table(local_system: LocalSystem) -> Iterator[str]:
    """A scratch table with a stream, as the registrations table has, and 20 items."""
    dynamodb = client("dynamodb", local_system.endpoint)
    name = f"transactions-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    for n in range(20):
        dynamodb.put_item(TableName=name, Item=_item(f"{PREFIX}{n}", count=n))
    yield name
    dynamodb.delete_table(TableName=name)


def _item(pk: str, **fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"pk": {"S": pk}, "sk": {"S": "A"}}
    for name, value in fields.items():
        item[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    return item


def _key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": "A"}}


def _add_to_count(table: str, pk: str, amount: int) -> dict[str, Any]:
    return _update(table, pk, "SET #c = #c + :n", amount)


def _set_count(table: str, pk: str, value: int) -> dict[str, Any]:
    return _update(table, pk, "SET #c = :n", value)


def _update(table: str, pk: str, expression: str, number: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": _key(pk),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": {"#c": "count"},
            "ExpressionAttributeValues": {":n": {"N": str(number)}},
        }
    }


def _stream_records(local_system: LocalSystem, table: str) -> list[dict[str, Any]]:
    dynamodb = client("dynamodb", local_system.endpoint)
    streams = client("dynamodbstreams", local_system.endpoint)
    arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records: list[dict[str, Any]] = streams.get_records(ShardIterator=iterator, Limit=1000)[
        "Records"
    ]
    return records


def _table_object(table: str) -> Any:
    return dynamodb_backends[ACCOUNT][REGION].tables[table]


def test_a_transaction_writes_all_its_items_and_their_stream_records(
    local_system: LocalSystem, table: str
) -> None:
    dynamodb = client("dynamodb", local_system.endpoint)
    before = len(_stream_records(local_system, table))
    dynamodb.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": table,
                    "Item": _item("tx-new", label="nieuw"),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            _add_to_count(table, "tx-3", 1),
        ]
    )
    assert dynamodb.get_item(TableName=table, Key=_key("tx-new"))["Item"]["label"] == {"S": "nieuw"}
    assert dynamodb.get_item(TableName=table, Key=_key("tx-3"))["Item"]["count"] == {"N": "4"}
    added = _stream_records(local_system, table)[before:]
    assert [r["eventName"] for r in added] == ["INSERT", "MODIFY"]


def test_a_cancelled_transaction_leaves_no_item_no_record_and_the_same_table(
    local_system: LocalSystem, table: str
) -> None:
    """The first write succeeds inside moto before the second one's condition fails: it is
    undone, its stream record dropped, and the table is the same object as before (so a
    reader holding it, like the stream poller, reads on)."""
    dynamodb = client("dynamodb", local_system.endpoint)
    table_object = _table_object(table)
    before = _stream_records(local_system, table)
    with pytest.raises(dynamodb.exceptions.TransactionCanceledException) as cancelled:
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": _item("tx-new"),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": table,
                        "Item": _item("tx-5", count=500),
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    reasons = [r["Code"] for r in cancelled.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert "Item" not in dynamodb.get_item(TableName=table, Key=_key("tx-new"))
    assert dynamodb.get_item(TableName=table, Key=_key("tx-5"))["Item"]["count"] == {"N": "5"}
    assert _stream_records(local_system, table) == before
    assert _table_object(table) is table_object


def test_a_transaction_refused_after_a_write_undoes_that_write(
    local_system: LocalSystem, table: str
) -> None:
    """An update that cannot be applied (adding to a text) is a validation error, raised
    after the first operation was written: that write is undone too."""
    dynamodb = client("dynamodb", local_system.endpoint)
    dynamodb.put_item(TableName=table, Item=_item("tx-text", count="tekst"))
    before = _stream_records(local_system, table)
    with pytest.raises(dynamodb.exceptions.ClientError) as refused:
        dynamodb.transact_write_items(
            TransactItems=[
                {"Delete": {"TableName": table, "Key": _key("tx-7")}},
                _add_to_count(table, "tx-text", 1),
            ]
        )
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert dynamodb.get_item(TableName=table, Key=_key("tx-7"))["Item"]["count"] == {"N": "7"}
    assert dynamodb.get_item(TableName=table, Key=_key("tx-text"))["Item"]["count"] == {
        "S": "tekst"
    }
    assert _stream_records(local_system, table) == before


def test_a_transaction_copies_the_items_it_names_not_the_table(
    local_system: LocalSystem, table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What made transactions slow on a full table: moto copied the whole table (every item)
    for each one. Now one item is copied to undo with, plus moto's own copy of an item it
    updates; the 19 others are not touched."""
    dynamodb = client("dynamodb", local_system.endpoint)
    copied: list[str] = []
    deepcopy = Item.__deepcopy__

    def counting(self: Item, memo: dict[int, Any]) -> Item:
        if str(self.hash_key.value).startswith(PREFIX):
            copied.append(str(self.hash_key.value))
        return deepcopy(self, memo)

    monkeypatch.setattr(Item, "__deepcopy__", counting)
    dynamodb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": _item("tx-added")}},
            _set_count(table, "tx-11", 0),
        ]
    )
    assert set(copied) == {"tx-11"}
    assert len(copied) <= 2
