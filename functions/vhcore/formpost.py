"""The plain HTML form (no JavaScript): decode ``application/x-www-form-urlencoded`` into the
same structure the JSON API takes, so one model validates both.

Field names are the API's paths: ``registrant.name``, ``persons.0.first_name``; multiple
choices repeat their name (``life_domains=huisvesting&life_domains=verslaving``). Which fields
are lists and which are yes/no is read from the model's JSON schema, never listed by hand.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel

from vhcore.formlimits import resolve
from vhcore.registration import RegistrationRequest

MAX_FIELDS = 1000
YES = {"ja", "on", "true", "1"}
_INDEX = re.compile(r"^\d{1,2}$")


@cache
def _field_kinds(model: type[BaseModel]) -> tuple[frozenset[str], frozenset[str]]:
    """(paths of lists of plain values, paths of booleans), list indexes written as ``*``."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    multi: set[str] = set()
    flags: set[str] = set()

    def walk(node: dict[str, Any], path: str) -> None:
        node = resolve(node, defs)
        kind = node.get("type")
        if kind == "boolean" or node.get("const") is True:
            flags.add(path)
        if kind == "array":
            item = resolve(node.get("items", {}), defs)
            if "properties" in item:
                walk(item, f"{path}.*")
            else:
                multi.add(path)
        for name, child in node.get("properties", {}).items():
            walk(child, f"{path}.{name}" if path else name)

    walk(schema, "")
    return frozenset(multi), frozenset(flags)


def _generic(parts: list[str]) -> str:
    return ".".join("*" if _INDEX.match(p) else p for p in parts)


def decode_form(body: str, model: type[BaseModel] = RegistrationRequest) -> dict[str, Any]:
    """Nested data from a urlencoded body, typed as the JSON API takes it: a yes/no field is
    a boolean, a multiple choice a list. Empty fields (or only whitespace) are left out (as
    the JSON form's script does); sparse row numbers (a removed person) are closed up in
    order."""
    multi, flags = _field_kinds(model)
    data: dict[str, Any] = {}
    pairs = parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    for name, raw in pairs:
        value = raw.strip()
        parts = name.split(".")
        if not value or not all(parts):
            continue
        generic = _generic(parts)
        node: dict[str, Any] = data
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        leaf = parts[-1]
        if generic in multi:
            node.setdefault(leaf, []).append(value)
        elif generic in flags:
            # A ticked box is JSON's true: the model takes no other value for yes.
            node[leaf] = value.lower() in YES
        else:
            # As sent: the model strips the whitespace around a text, and refuses a control
            # character (which Python's strip would remove, unlike the model's) as for JSON.
            node[leaf] = raw
    decoded: dict[str, Any] = _lists(data)
    return decoded


def _lists(node: Any) -> Any:
    """Turn ``{"0": {...}, "2": {...}}`` into ``[{...}, {...}]``, recursively."""
    if not isinstance(node, dict):
        return node
    if node and all(_INDEX.match(k) for k in node):
        return [_lists(node[k]) for k in sorted(node, key=int)]
    return {k: _lists(v) for k, v in node.items()}
