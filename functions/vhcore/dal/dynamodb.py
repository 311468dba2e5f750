"""The store on DynamoDB: the registrations table and the audit table (``vhcore.dal.items``
says what is in them). Conditions make every write safe to repeat or race."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from vhcore import clock
from vhcore.dal.aws import calling, client
from vhcore.dal.items import (
    AGENDA_SK,
    ANSWER_ATTRIBUTES,
    AUDIT_MONTH_INDEX,
    LEGACY,
    LISTED_ATTRIBUTES,
    QUEUE_INDEX,
    REGISTRATION_SK,
    STATUS_INDEX,
    TOKEN_FIELDS,
    AgendaItem,
    AnswerItem,
    AuditItem,
    HistoryItem,
    ReferenceClaimItem,
    RegistrationItem,
    agenda_key,
    audit_partition,
    changed_attributes,
    expired,
    plain,
    queue_partition,
    reference_key,
    registration_id_of,
    registration_key,
    timestamp,
)
from vhcore.errors import (
    AlreadyStored,
    ConcurrentChange,
    NotFound,
    ReferenceTaken,
    StorageUnavailable,
)
from vhcore.model import (
    AgendaRecord,
    AuditEntry,
    Changes,
    HistoryEvent,
    Registration,
    StoredAnswer,
    WaitsFor,
)
from vhcore.status import Status

CONDITION_FAILED = "ConditionalCheckFailedException"
EXISTS = "attribute_exists(pk)"
NEW = "attribute_not_exists(pk)"

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _typed(attributes: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in attributes.items() if v is not None}


def _untyped(item: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(_deserializer.deserialize(v)) for k, v in item.items()}


def _projection(names: tuple[str, ...]) -> dict[str, Any]:
    """A ProjectionExpression of ``names`` (every name through a placeholder: some, like
    ``status``, are reserved words)."""
    placeholders = {f"#p{i}": name for i, name in enumerate(names)}
    return {
        "ProjectionExpression": ", ".join(placeholders),
        "ExpressionAttributeNames": placeholders,
    }


class _Update:
    """An UpdateExpression built from attributes: SET what has a value, REMOVE what is None."""

    def __init__(self, attributes: dict[str, Any]) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        self.sets: list[str] = []
        removes: list[str] = []
        for index, (name, value) in enumerate(attributes.items()):
            self.names[f"#f{index}"] = name
            if value is None:
                removes.append(f"#f{index}")
            else:
                self.values[f":f{index}"] = _serializer.serialize(value)
                self.sets.append(f"#f{index} = :f{index}")
        self.removes = removes

    def expression(self) -> str:
        parts = []
        if self.sets:
            parts.append("SET " + ", ".join(self.sets))
        if self.removes:
            parts.append("REMOVE " + ", ".join(self.removes))
        return " ".join(parts)


class DynamoStore:
    """``vhcore.ports.Store`` on the house's two tables."""

    def __init__(self, registrations_table: str, audit_table: str | None = None) -> None:
        self.table = registrations_table
        self.audit_table = audit_table

    @staticmethod
    def _db() -> Any:
        return client("dynamodb")

    # --- registrations ----------------------------------------------------------------------

    def add(self, registration: Registration, *, reference_until: int) -> None:
        item = RegistrationItem.of(registration)
        claim = ReferenceClaimItem.of(registration.reference, registration.id, reference_until)
        with calling("storing the registration", expected={"TransactionCanceledException"}) as call:
            self._db().transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": _typed(claim.attributes()),
                            "ConditionExpression": NEW,
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": _typed(item.attributes()),
                            "ConditionExpression": NEW,
                        }
                    },
                ]
            )
        if call.refused is not None:
            # One reason per item, in order: [the reference claim, the registration].
            failed = [
                r.get("Code") == "ConditionalCheckFailed"
                for r in call.refused.response.get("CancellationReasons") or []
            ]
            if len(failed) == 2 and failed[1]:
                raise AlreadyStored(registration.id) from call.refused
            if len(failed) == 2 and failed[0]:
                raise ReferenceTaken(registration.reference) from call.refused
            raise StorageUnavailable("storing the registration failed") from call.refused

    def _read(
        self, registration_id: str, projection: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        """A registration's item (only the ``projection``'s attributes, when given)."""
        with calling("reading the registration"):
            response = self._db().get_item(
                TableName=self.table,
                Key=_typed(registration_key(registration_id)),
                ConsistentRead=True,
                **(_projection(projection) if projection else {}),
            )
        item = response.get("Item")
        return _untyped(item) if item else None

    def get(self, registration_id: str) -> Registration | None:
        item = self._read(registration_id)
        if item is None or expired(item.get("expires_at"), clock.now()):
            return None
        return RegistrationItem.model_validate(item).registration()

    def answer(self, registration_id: str) -> StoredAnswer | None:
        item = self._read(registration_id, ANSWER_ATTRIBUTES)
        return AnswerItem.model_validate(item).answer() if item else None

    def find(self, reference: str) -> str | None:
        with calling("reading a reference"):
            response = self._db().get_item(
                TableName=self.table, Key=_typed(reference_key(reference))
            )
        item = response.get("Item")
        return ReferenceClaimItem.model_validate(_untyped(item)).registration_id if item else None

    def release_reference(self, reference: str) -> None:
        with calling("deleting a reference"):
            self._db().delete_item(TableName=self.table, Key=_typed(reference_key(reference)))

    def erase(self, registration: Registration) -> None:
        with calling("erasing the registration"):
            self._db().transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self.table,
                            "Key": _typed(registration_key(registration.id)),
                        }
                    },
                    {
                        "Delete": {
                            "TableName": self.table,
                            "Key": _typed(reference_key(registration.reference)),
                        }
                    },
                ]
            )
        for agenda in self._agendas_holding(registration.id):
            ids = [i for i in agenda.registration_ids if i != registration.id]
            with calling("erasing from an agenda", expected={CONDITION_FAILED}):
                self._db().update_item(
                    TableName=self.table,
                    Key=_typed(agenda_key(agenda.triage_date)),
                    UpdateExpression="SET registration_ids = :ids",
                    ConditionExpression="registration_ids = :old",
                    ExpressionAttributeValues={
                        ":ids": _serializer.serialize(ids),
                        ":old": _serializer.serialize(list(agenda.registration_ids)),
                    },
                )

    def _agendas_holding(self, registration_id: str) -> list[AgendaRecord]:
        """The agendas that list the registration (a scan: erasing is rare, agendas few)."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "FilterExpression": "sk = :sk AND contains(registration_ids, :id)",
            "ExpressionAttributeValues": {
                ":sk": {"S": AGENDA_SK},
                ":id": {"S": registration_id},
            },
        }
        found: list[AgendaRecord] = []
        with calling("reading the agendas"):
            while True:
                response = self._db().scan(**request)
                found += [
                    AgendaItem.model_validate(_untyped(i)).agenda() for i in response["Items"]
                ]
                if "LastEvaluatedKey" not in response:
                    return found
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _update(
        self,
        registration_id: str,
        attributes: dict[str, Any],
        *,
        condition: str,
        names: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        history: HistoryEvent | None = None,
    ) -> dict[str, Any] | None:
        """One UpdateItem; the new item, or None when ``condition`` did not hold."""
        update = _Update(attributes)
        update.names |= names or {}
        update.values |= values or {}
        if history is not None:
            update.names["#history"] = "history"
            update.values[":event"] = {"L": [_serializer.serialize(_history(history))]}
            update.values[":empty"] = {"L": []}
            update.sets.append("#history = list_append(if_not_exists(#history, :empty), :event)")
        request: dict[str, Any] = {
            "TableName": self.table,
            "Key": _typed(registration_key(registration_id)),
            "UpdateExpression": update.expression(),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": update.names,
            "ReturnValues": "ALL_NEW",
        }
        if update.values:
            request["ExpressionAttributeValues"] = update.values
        with calling("updating the registration", expected={CONDITION_FAILED}) as call:
            response = self._db().update_item(**request)
        return None if call.refused is not None else dict(response["Attributes"])

    def _registration(self, item: dict[str, Any]) -> Registration:
        return RegistrationItem.model_validate(_untyped(item)).registration()

    def transition(
        self, registration_id: str, *, expected: Status, changes: Changes, event: HistoryEvent
    ) -> Registration:
        item = self._update(
            registration_id,
            changed_attributes(changes),
            condition=f"{EXISTS} AND #status = :expected",
            names={"#status": "status"},
            values={":expected": {"S": expected.value}},
            history=event,
        )
        if item is None:
            if self.get(registration_id) is None:
                raise NotFound(registration_id)
            raise ConcurrentChange(registration_id)
        return self._registration(item)

    def update(self, registration_id: str, changes: Changes) -> Registration:
        item = self._update(registration_id, changed_attributes(changes), condition=EXISTS)
        if item is None:
            raise NotFound(registration_id)
        return self._registration(item)

    def park_token(self, registration_id: str, waits_for: WaitsFor, token: str) -> bool:
        token_field, done_field = TOKEN_FIELDS[waits_for]
        item = self._update(
            registration_id,
            {token_field: token},
            condition=f"{EXISTS} AND attribute_not_exists(#done)",
            names={"#done": done_field},
        )
        return item is not None

    def park_event_token(self, registration_id: str, token: str, seen: int) -> bool:
        # A staff action appends to the history in the same write that changes the case: it
        # either comes before this one (the condition fails) or finds the token parked.
        seen_now = "attribute_not_exists(#history)" if seen == 0 else "size(#history) = :seen"
        item = self._update(
            registration_id,
            {"event_token": token},
            condition=f"{EXISTS} AND {seen_now}",
            names={"#history": "history"},
            values={":seen": {"N": str(seen)}} if seen else None,
        )
        return item is not None

    def _listed(self, request: dict[str, Any], action: str, limit: int) -> list[Registration]:
        """Every page of a query or scan, registrations only, without ciphertexts."""
        projection = _projection(LISTED_ATTRIBUTES)
        request["ProjectionExpression"] = projection["ProjectionExpression"]
        request["ExpressionAttributeNames"] = projection["ExpressionAttributeNames"] | request.get(
            "ExpressionAttributeNames", {}
        )
        found: list[Registration] = []
        operation = "query" if "KeyConditionExpression" in request else "scan"
        with calling(action):
            while len(found) < limit:
                response = getattr(self._db(), operation)(**request)
                now = clock.now()
                listed = [self._registration(i) for i in response.get("Items", [])]
                found += [r for r in listed if not expired(r.expires_at, now)]
                if "LastEvaluatedKey" not in response:
                    break
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return found[:limit]

    def queue(self, queued_for: str, limit: int = 500) -> list[Registration]:
        request = {
            "TableName": self.table,
            "IndexName": QUEUE_INDEX,
            "KeyConditionExpression": "queue_pk = :q",
            "ExpressionAttributeValues": {":q": {"S": queue_partition(queued_for)}},
        }
        return self._listed(request, "reading the triage queue", limit)

    def in_status(
        self,
        statuses: Iterable[Status],
        limit: int = 2000,
        received: tuple[dt.datetime, dt.datetime] | None = None,
    ) -> list[Registration]:
        found: list[Registration] = []
        for status in statuses:
            request: dict[str, Any] = {
                "TableName": self.table,
                "IndexName": STATUS_INDEX,
                "KeyConditionExpression": "#status = :status",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {":status": {"S": status.value}},
            }
            if received is not None:
                # queue_sk is '<received, stored form>#<id>': from the first moment on, and
                # before the second (its bare timestamp sorts before every key that starts so).
                request["KeyConditionExpression"] += " AND queue_sk BETWEEN :since AND :until"
                request["ExpressionAttributeValues"] |= {
                    ":since": {"S": timestamp(received[0])},
                    ":until": {"S": timestamp(received[1])},
                }
            found += self._listed(request, "reading the open cases", limit - len(found))
            if len(found) >= limit:
                break
        return found

    def received_between(self, since: dt.datetime, until: dt.datetime) -> list[Registration]:
        # A scan: a house has about a thousand registrations a year. Stored moments are UTC
        # text of one format, so the bounds in that format compare as the moments do.
        request = {
            "TableName": self.table,
            "FilterExpression": "#sk = :sk AND #received >= :since AND #received < :until",
            "ExpressionAttributeNames": {"#sk": "sk", "#received": "received_at"},
            "ExpressionAttributeValues": {
                ":sk": {"S": REGISTRATION_SK},
                ":since": {"S": timestamp(since)},
                ":until": {"S": timestamp(until)},
            },
        }
        return self._listed(request, "reading the registrations", limit=1_000_000)

    # --- agendas ----------------------------------------------------------------------------

    def agenda(self, triage_date: dt.date) -> AgendaRecord | None:
        with calling("reading the agenda"):
            response = self._db().get_item(
                TableName=self.table, Key=_typed(agenda_key(triage_date)), ConsistentRead=True
            )
        item = response.get("Item")
        if item is None:
            return None
        agenda = AgendaItem.model_validate(_untyped(item)).agenda()
        return None if expired(agenda.expires_at, clock.now()) else agenda

    def fix_agenda(self, agenda: AgendaRecord) -> bool:
        with calling("fixing the agenda", expected={CONDITION_FAILED}) as call:
            self._db().put_item(
                TableName=self.table,
                Item=_typed(AgendaItem.of(agenda).attributes()),
                ConditionExpression=NEW,
            )
        return call.refused is None

    def mark_agenda_notified(self, triage_date: dt.date, at: dt.datetime) -> None:
        with calling("marking the agenda as sent"):
            self._db().update_item(
                TableName=self.table,
                Key=_typed(agenda_key(triage_date)),
                UpdateExpression="SET notified_at = :at",
                ExpressionAttributeValues={":at": {"S": timestamp(at)}},
            )

    # --- sealing what was stored in clear before ----------------------------------------------

    def _scan(self, table: str, action: str, **request: Any) -> Iterator[dict[str, Any]]:
        request["TableName"] = table
        with calling(action):
            while True:
                response = self._db().scan(**request)
                yield from response.get("Items", [])
                if "LastEvaluatedKey" not in response:
                    return
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def seal_legacy_text(self, seal: Callable[[str, str], str]) -> int:
        rewritten = 0
        registrations = self._scan(
            self.table,
            "reading the registrations",
            FilterExpression="sk = :sk",
            ExpressionAttributeValues={":sk": {"S": REGISTRATION_SK}},
        )
        for item in registrations:
            history = item.get("history", {}).get("L", [])
            if not any("reason" in entry.get("M", {}) for entry in history):
                continue
            registration_id = registration_id_of(item["pk"]["S"])
            sealed = [_sealed_entry(entry, registration_id, seal) for entry in history]
            with calling("sealing the history", expected={CONDITION_FAILED}):
                self._db().update_item(
                    TableName=self.table,
                    Key={"pk": item["pk"], "sk": item["sk"]},
                    UpdateExpression="SET #history = :new",
                    ConditionExpression="#history = :old",
                    ExpressionAttributeNames={"#history": "history"},
                    ExpressionAttributeValues={":new": {"L": sealed}, ":old": {"L": history}},
                )
            rewritten += 1
        records = self._scan(
            self._audit_table(),
            "reading the audit log",
            FilterExpression="attribute_not_exists(purpose_category)",
        )
        for record in records:
            registration_id = registration_id_of(record["pk"]["S"])
            clear = _untyped(record)
            typed = str(clear.pop("purpose", "") or "").strip()
            current = AuditItem.model_validate(clear).model_copy(
                update={"purpose": seal(registration_id, typed) if typed else None}
            )
            with calling("sealing the audit log", expected={CONDITION_FAILED}):
                self._db().put_item(
                    TableName=self._audit_table(),
                    Item=_typed(current.attributes()),
                    ConditionExpression="attribute_exists(pk) AND attribute_not_exists(#c)",
                    ExpressionAttributeNames={"#c": "purpose_category"},
                )
            rewritten += 1
        return rewritten

    # --- the audit log ----------------------------------------------------------------------

    def _audit_table(self) -> str:
        if self.audit_table is None:
            raise StorageUnavailable("this function has no audit log")
        return self.audit_table

    def append_audit(self, entry: AuditEntry) -> None:
        with calling("writing the audit log"):
            self._db().put_item(
                TableName=self._audit_table(),
                Item=_typed(AuditItem.of(entry).attributes()),
                ConditionExpression=NEW,
            )

    def audit_trail(self, registration_id: str) -> list[AuditEntry]:
        entries: list[AuditEntry] = []
        request: dict[str, Any] = {
            "TableName": self._audit_table(),
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": audit_partition(registration_id)}},
        }
        with calling("reading the audit log"):
            while True:
                response = self._db().query(**request)
                entries += [
                    AuditItem.model_validate(_untyped(i)).entry() for i in response["Items"]
                ]
                if "LastEvaluatedKey" not in response:
                    return entries
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def audit_month(self, month: str) -> list[AuditEntry]:
        entries: list[AuditEntry] = []
        request: dict[str, Any] = {
            "TableName": self._audit_table(),
            "IndexName": AUDIT_MONTH_INDEX,
            "KeyConditionExpression": "#month = :month",
            "ExpressionAttributeNames": {"#month": "month"},
            "ExpressionAttributeValues": {":month": {"S": month}},
        }
        with calling("reading the audit log"):
            while True:
                response = self._db().query(**request)
                entries += [
                    AuditItem.model_validate(_untyped(i)).entry() for i in response["Items"]
                ]
                if "LastEvaluatedKey" not in response:
                    return entries
                request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _history(event: HistoryEvent) -> dict[str, Any]:
    return HistoryItem.of(event).attributes()


def _sealed_entry(
    entry: dict[str, Any], registration_id: str, seal: Callable[[str, str], str]
) -> dict[str, Any]:
    """One history entry in the current form: a clear ``reason`` becomes a sealed note."""
    fields = _untyped(entry["M"])
    if "reason" not in fields:
        return entry
    typed = str(fields.pop("reason") or "").strip()
    current = HistoryItem.model_validate(fields | {"action": LEGACY, "actor_name": fields["actor"]})
    if typed:
        current = current.model_copy(update={"note": seal(registration_id, typed)})
    return {"M": _typed(current.attributes())}
