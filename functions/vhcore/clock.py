"""The current time for the domain. In AWS this is the real time; the local stack can move it
forward (``make dev``'s "advance the clock", and tests) so waits and cut-offs can be shown
without waiting days. Nothing else in the product may read the clock directly."""

from __future__ import annotations

import datetime as dt

_offset = dt.timedelta(0)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + _offset


def offset() -> dt.timedelta:
    return _offset


def set_offset(value: dt.timedelta) -> None:
    """Local stack only: shift the domain's clock (never called in a deployed function)."""
    global _offset  # noqa: PLW0603 - one process-wide clock, by design
    if value < dt.timedelta(0):
        raise ValueError("the clock only moves forward")
    _offset = value
