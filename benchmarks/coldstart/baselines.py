"""Raw baselines of the handlers' first requests: the same AWS calls and the same cryptography
as each handler's first request in ``bench_coldstart.py``, with boto3 and ``cryptography``
alone, in a fresh interpreter of their own (``coldstart_child.py`` imports this module, whose
top imports only what the child has already loaded, then calls one function with the event).

What a handler does on top of this is its own cost: validation (pydantic), the house file,
Powertools' logger and idempotency, rendering an e-mail. The issue's target: a handler's
import plus first request at most 1.3 x its baseline.

Every function gets the handler's event and environment (tables, keys, queue, state machine
of the local stack; a case of its own, posted by the benchmark beforehand). What it writes is
keyed ``BENCH#...`` (never ``REG#``/``REF#``), so the table's stream filter passes none of it.
The AWS calls each makes, in order, are listed in ``CALLS``; the benchmark checks them against
the handler's own calls (recorded in a pass that is not timed).
"""

from __future__ import annotations

import json
from typing import Any

INFO = b"vh1 AES-256-GCM key and commitment"  # as vhcore.dal.crypto

CALLS: dict[str, list[str]] = {
    "intake": [
        "dynamodb:PutItem",
        "kms:GenerateDataKey",
        "kms:GenerateDataKey",
        "dynamodb:TransactWriteItems",
        "dynamodb:UpdateItem",
    ],
    "admin_read": [
        "dynamodb:GetItem",
        "kms:GenerateDataKey",
        "dynamodb:PutItem",
        "dynamodb:GetItem",
        "kms:Decrypt",
    ],
    "workflow_start": ["stepfunctions:StartExecution"],
    "triage_enqueue": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
    "agenda": ["dynamodb:Query", "dynamodb:PutItem", "sqs:SendMessage", "dynamodb:UpdateItem"],
    "notify_receipt": [
        "dynamodb:GetItem",
        "kms:Decrypt",
        "dynamodb:PutItem",
        "sesv2:SendEmail",
        "dynamodb:UpdateItem",
    ],
}


def _env(name: str) -> str:
    import os

    return os.environ[name]


def _bench_key() -> str:
    import uuid

    return f"BENCH#{uuid.uuid4()}"


def _set(dynamodb: Any, table: str, key: dict[str, Any], name: str, value: str) -> None:
    dynamodb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET #n = :v",
        ExpressionAttributeNames={"#n": name},
        ExpressionAttributeValues={":v": {"S": value}},
    )


def _seal(kms: Any, key_arn: str, plaintext: str, registration_id: str) -> str:
    """vh1, as ``vhcore.dal.crypto`` writes it: a data key, HKDF-SHA512, AES-256-GCM."""
    import base64
    import os
    import struct

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.hashes import SHA512
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    context = {"registration_id": registration_id}
    answer = kms.generate_data_key(KeyId=key_arn, KeySpec="AES_256", EncryptionContext=context)
    salt, nonce, wrapped = os.urandom(32), os.urandom(12), answer["CiphertextBlob"]
    derived = HKDF(algorithm=SHA512(), length=64, salt=salt, info=INFO).derive(answer["Plaintext"])
    header = struct.pack(">B32s32s12sH", 1, salt, derived[32:], nonce, len(wrapped)) + wrapped
    aad = header + json.dumps(context, sort_keys=True, separators=(",", ":")).encode()
    body = AESGCM(derived[:32]).encrypt(nonce, plaintext.encode(), aad)
    return "vh1." + base64.urlsafe_b64encode(header + body).decode()


def _open(kms: Any, key_arn: str, ciphertext: str, registration_id: str) -> str:
    """The other way: unwrap the data key with KMS, check the commitment, decrypt."""
    import base64
    import hmac
    import struct

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.hashes import SHA512
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    blob = base64.urlsafe_b64decode(ciphertext.removeprefix("vh1."))
    _, salt, commitment, nonce, length = struct.unpack_from(">B32s32s12sH", blob)
    end = 79 + length
    context = {"registration_id": registration_id}
    answer = kms.decrypt(CiphertextBlob=blob[79:end], KeyId=key_arn, EncryptionContext=context)
    derived = HKDF(algorithm=SHA512(), length=64, salt=salt, info=INFO).derive(answer["Plaintext"])
    if not hmac.compare_digest(derived[32:], commitment):
        raise ValueError("key commitment does not match")
    aad = blob[:end] + json.dumps(context, sort_keys=True, separators=(",", ":")).encode()
    return AESGCM(derived[:32]).decrypt(nonce, blob[end:], aad).decode()


def intake(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A new registration: idempotency record, two encryptions, one transaction, done."""
    import base64
    import time
    import uuid

    import boto3

    body = event["body"]
    data = json.loads(base64.b64decode(body) if event.get("isBase64Encoded") else body)
    dynamodb, kms = boto3.client("dynamodb"), boto3.client("kms")
    registration_id, key = str(uuid.uuid4()), _bench_key()
    idempotency, table = _env("IDEMPOTENCY_TABLE"), _env("REGISTRATIONS_TABLE")
    dynamodb.put_item(
        TableName=idempotency,
        Item={
            "id": {"S": key},
            "status": {"S": "INPROGRESS"},
            "expiration": {"N": str(int(time.time()) + 86400)},
        },
        ConditionExpression="attribute_not_exists(id)",
    )
    personal = _seal(kms, _env("DATA_KEY_ARN"), json.dumps(data), registration_id)
    contact = _seal(kms, _env("CONTACT_KEY_ARN"), data["registrant"]["email"], registration_id)
    item = {"pk": {"S": key}, "sk": {"S": "BASELINE"}}
    dynamodb.transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": table,
                    "Item": item | {"personal": {"S": personal}, "contact": {"S": contact}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": table,
                    "Item": {"pk": {"S": key}, "sk": {"S": "CLAIM"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
    )
    dynamodb.update_item(
        TableName=idempotency,
        Key={"id": {"S": key}},
        UpdateExpression="SET #s = :s, #d = :d",
        ExpressionAttributeNames={"#s": "status", "#d": "data"},
        ExpressionAttributeValues={":s": {"S": "COMPLETED"}, ":d": {"S": registration_id}},
    )
    return {"statusCode": 202}


def admin_read(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A staff read: the reference's claim, an encrypted audit record, the case, decrypted."""
    import base64

    import boto3

    dynamodb, kms = boto3.client("dynamodb"), boto3.client("kms")
    table, key_arn = _env("REGISTRATIONS_TABLE"), _env("DATA_KEY_ARN")
    reference = event["pathParameters"]["reference"]
    claim = dynamodb.get_item(
        TableName=table, Key={"pk": {"S": f"REF#{reference}"}, "sk": {"S": "REFERENCE"}}
    )["Item"]
    registration_id = claim["registration_id"]["S"]
    body = event["body"]
    body = base64.b64decode(body) if event.get("isBase64Encoded") else body
    purpose = _seal(kms, key_arn, json.loads(body)["purpose"], registration_id)
    dynamodb.put_item(
        TableName=_env("AUDIT_TABLE"),
        Item={"pk": {"S": _bench_key()}, "sk": {"S": "BASELINE"}, "purpose": {"S": purpose}},
    )
    item = dynamodb.get_item(
        TableName=table, Key={"pk": {"S": f"REG#{registration_id}"}, "sk": {"S": "REGISTRATION"}}
    )["Item"]
    json.loads(_open(kms, key_arn, item["personal"]["S"], registration_id))
    return {"statusCode": 200}


def workflow_start(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A stream record of a new registration: start its execution, named after it."""
    import boto3

    stepfunctions = boto3.client("stepfunctions")
    for record in event["Records"]:
        image = record["dynamodb"]["NewImage"]
        registration_id = image["pk"]["S"].removeprefix("REG#")
        given = {
            "registration_id": registration_id,
            "reference": image["reference"]["S"],
            "respond_by": image["respond_by"]["S"],
        }
        stepfunctions.start_execution(
            stateMachineArn=_env("WORKFLOW_ARN"), name=registration_id, input=json.dumps(given)
        )
    return {"batchItemFailures": []}


def triage_enqueue(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A queue message: read the case, place it (an update)."""
    import boto3

    dynamodb, table = boto3.client("dynamodb"), _env("REGISTRATIONS_TABLE")
    for record in event["Records"]:
        registration_id = json.loads(record["body"])["registration_id"]
        dynamodb.get_item(
            TableName=table,
            Key={"pk": {"S": f"REG#{registration_id}"}, "sk": {"S": "REGISTRATION"}},
        )
        key = {"pk": {"S": _bench_key()}, "sk": {"S": "BASELINE"}}
        _set(dynamodb, table, key, "queued_for", "2026-12-10")
    return {"batchItemFailures": []}


def agenda(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The weekly cut-off: the coming triage's queue, the agenda stored, the count sent."""
    import boto3

    dynamodb, table = boto3.client("dynamodb"), _env("REGISTRATIONS_TABLE")
    dynamodb.query(
        TableName=table,
        IndexName="queue",
        KeyConditionExpression="queue_pk = :p",
        ExpressionAttributeValues={":p": {"S": "QUEUE#2026-12-10"}},
    )
    key = {"pk": {"S": _bench_key()}, "sk": {"S": "BASELINE"}}
    dynamodb.put_item(TableName=table, Item=key, ConditionExpression="attribute_not_exists(pk)")
    boto3.client("sqs").send_message(
        QueueUrl=_env("NOTIFY_QUEUE_URL"), MessageBody=json.dumps({"kind": "bench"})
    )
    _set(dynamodb, table, key, "notified_at", "2026-12-07T12:00:00Z")
    return {"fixed": True}


def notify_receipt(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A queue message: the case, its address decrypted, a claim, the e-mail, the claim done."""
    import boto3

    dynamodb, kms = boto3.client("dynamodb"), boto3.client("kms")
    for record in event["Records"]:
        registration_id = json.loads(record["body"])["registration_id"]
        item = dynamodb.get_item(
            TableName=_env("REGISTRATIONS_TABLE"),
            Key={"pk": {"S": f"REG#{registration_id}"}, "sk": {"S": "REGISTRATION"}},
        )["Item"]
        address = _open(kms, _env("CONTACT_KEY_ARN"), item["contact"]["S"], registration_id)
        claim = {"id": {"S": _bench_key()}}
        idempotency = _env("IDEMPOTENCY_TABLE")
        dynamodb.put_item(
            TableName=idempotency, Item=claim, ConditionExpression="attribute_not_exists(id)"
        )
        boto3.client("sesv2").send_email(
            FromEmailAddress=_env("SENDER_EMAIL"),
            Destination={"ToAddresses": [address]},
            Content={
                "Simple": {
                    "Subject": {"Data": "Ontvangstbevestiging"},
                    "Body": {"Text": {"Data": "Uw aanmelding is ontvangen."}},
                }
            },
        )
        _set(dynamodb, idempotency, claim, "status", "sent")
    return {"batchItemFailures": []}
