"""DynamoDB transactions on the emulator: atomic, isolated and cheap, as in DynamoDB.

moto (5.2) implements ``TransactWriteItems`` by deep-copying every table the transaction
names before it writes, and by putting those copies in place of the tables when the
transaction is cancelled. On the local stack that has three consequences DynamoDB does not
have:

- **Time grows with the table.** The copy includes every item and every stream record, so a
  transaction costs about 0.4 ms per item already stored: 1.6 s at 4,000 items. In a long
  fuzz or load run intake's two-item transaction then outlasts the client's read timeout;
  botocore sends it again while the first is still running, and the two race.
- **Lost writes.** A cancelled transaction puts back the table as it was when the
  transaction began, so a write another request made meanwhile (a consumer updating a case,
  the first of two racing attempts) disappears.
- **A new table object.** Whoever held the old one (the stream poller) reads a table that no
  longer exists.

``patch_moto_transactions()`` keeps moto's implementation of the operations themselves and
replaces only its snapshot: before the transaction, the items it names are copied (one
item each, not the table) with the length of each stream; when it fails, those items are put
back in the same table object and the stream records it added are dropped. Every read and
write of the DynamoDB backend holds one lock, so no other request sees a transaction half
done or writes in the middle of one (DynamoDB isolates transactions from other operations on
the same items; one lock is stricter, and the emulator's threads share one interpreter
anyway).
"""

from __future__ import annotations

import copy
import functools
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Backend methods that read or write items: each runs under ``_ITEMS`` (``transact_write_items``
# calls ``put_item``/``update_item``/``delete_item`` itself, hence a re-entrant lock).
_ISOLATED = ("get_item", "put_item", "update_item", "delete_item", "query", "scan")
_ITEMS = threading.RLock()
_in_transaction = threading.local()

_patched = False
_patch_lock = threading.Lock()


@dataclass
class _Saved:
    """One item as it was before the transaction (None: it did not exist)."""

    table: Any
    hash_key: Any
    range_key: Any
    item: Any


def _key_of(table: Any, op_type: str, op: dict[str, Any]) -> dict[str, Any] | None:
    attrs = op.get("Item") if op_type == "Put" else op.get("Key")
    if not isinstance(attrs, dict) or table.hash_key_attr not in attrs:
        return None  # moto refuses the operation before it writes anything
    if table.range_key_attr is not None and table.range_key_attr not in attrs:
        return None
    return attrs


def _saved(table: Any, op_type: str, op: dict[str, Any]) -> _Saved | None:
    """A copy of the item one operation names, or None for a key moto refuses before it
    writes anything (a missing or mistyped key attribute)."""
    from moto.dynamodb.exceptions import MockValidationException
    from moto.dynamodb.models.dynamo_type import DynamoType

    key = _key_of(table, op_type, op)
    if key is None:
        return None
    try:
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = (
            DynamoType(key[table.range_key_attr]) if table.range_key_attr is not None else None
        )
        current = table.get_item(hash_key, range_key)
    except (MockValidationException, TypeError, ValueError, KeyError, AttributeError):
        return None
    return _Saved(table, hash_key, range_key, copy.deepcopy(current))


_Streams = dict[int, tuple[Any, int]]


def _save(backend: Any, transact_items: list[dict[str, Any]]) -> tuple[list[_Saved], _Streams]:
    """Copies of the items the transaction names, and each named table's stream length."""
    saved: list[_Saved] = []
    streams: _Streams = {}
    for entry in transact_items:
        if len(entry) != 1:
            continue
        op_type, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
        item = _saved(table, op_type, op) if table is not None else None
        if item is None:
            continue
        saved.append(item)
        shard = item.table.stream_shard
        if shard is not None and id(shard) not in streams:
            streams[id(shard)] = (shard, len(shard.items))
    return saved, streams


def _restore(saved: list[_Saved], streams: _Streams) -> None:
    """Put the saved items back, the first copy of each winning (it is the oldest), and drop
    the stream records the transaction added."""
    for entry in reversed(saved):
        items = entry.table.items
        if entry.range_key is not None:
            rows = items[entry.hash_key]
            if entry.item is None:
                rows.pop(entry.range_key, None)
                if not rows:
                    items.pop(entry.hash_key, None)
            else:
                rows[entry.range_key] = entry.item
        elif entry.item is None:
            items.pop(entry.hash_key, None)
        else:
            items[entry.hash_key] = entry.item
    for shard, length in streams.values():
        del shard.items[length:]


def _transact_write_items(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with _ITEMS:
            saved, streams = _save(self, transact_items)
            _in_transaction.active = True
            try:
                original(self, transact_items)
            except BaseException:
                _restore(saved, streams)
                raise
            finally:
                _in_transaction.active = False

    return transact_write_items


def _isolated(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _ITEMS:
            return original(self, *args, **kwargs)

    return method


def _copy_module() -> types.ModuleType:
    """``copy`` for moto's DynamoDB backend module: inside a transaction, "copying" a table
    gives the table itself, so moto's own rollback (putting its copy in place) changes
    nothing and ``_restore`` undoes the transaction instead. Everything else is copied."""
    from moto.dynamodb.models.table import Table

    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if isinstance(value, Table) and getattr(_in_transaction, "active", False):
            return value
        return copy.deepcopy(value, memo)

    module = types.ModuleType("copy")
    module.__dict__.update(copy.__dict__)
    module.deepcopy = deepcopy  # type: ignore[attr-defined]
    return module


def patch_moto_transactions() -> None:
    """Install the above in moto's DynamoDB backend (idempotent, process-wide)."""
    global _patched  # noqa: PLW0603 - one interpreter per process, patched once
    with _patch_lock:
        if _patched:
            return
        from moto.dynamodb import models

        backend = models.DynamoDBBackend
        for name in _ISOLATED:
            setattr(backend, name, _isolated(getattr(backend, name)))
        backend.transact_write_items = _transact_write_items(  # type: ignore[method-assign]
            backend.transact_write_items
        )
        setattr(models, "copy", _copy_module())  # noqa: B010 - typed as a module
        _patched = True
