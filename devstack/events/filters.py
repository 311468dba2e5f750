"""Filter patterns of event-source mappings (``FilterCriteria``), matched as Lambda does.

The matching is moto's own EventBridge pattern matcher (``moto.events.models.EventPattern``):
nested objects, lists of allowed values, a record value that is a list matching when any
element does, ``$or``, and the operators below. moto quietly accepts an operator it does not
know, so ``check_pattern`` refuses those when the pump starts: a template cannot rely on an
unsimulated rule. Filters of one mapping are OR-ed (``any``), as Lambda does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from moto.events.models import EventPattern

# The operators moto's matcher implements.
SUPPORTED_OPERATORS = frozenset(
    {
        "exists",
        "prefix",
        "suffix",
        "equals-ignore-case",
        "numeric",
        "anything-but",
        "cidr",
        "wildcard",
    }
)


def check_pattern(pattern: Any, where: str = "pattern") -> None:
    """Refuse what ``matches`` does not implement."""
    if isinstance(pattern, dict):
        for key, value in pattern.items():
            if key == "$or" and isinstance(value, list):
                for branch in value:
                    check_pattern(branch, f"{where}.$or")
            else:
                check_pattern(value, f"{where}.{key}")
        return
    if not isinstance(pattern, list):
        raise ValueError(f"{where}: a filter value must be a list of allowed values")
    for allowed in pattern:
        if isinstance(allowed, dict):
            unknown = set(allowed) - SUPPORTED_OPERATORS
            if unknown or len(allowed) != 1:
                raise ValueError(f"{where}: operator {sorted(allowed)} is not simulated locally")


def matches(pattern: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Does ``record`` match the EventBridge-style ``pattern``?"""
    # matches_event is typed for EventBridge events; any JSON object is matched alike.
    event = cast(Any, dict(record))
    return bool(EventPattern(None, dict(pattern)).matches_event(event))
