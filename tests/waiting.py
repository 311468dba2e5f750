"""Waiting for something to happen in the local stack, instead of sleeping for a while."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Generous: a test waits for an event, never for a time limit; the deadline only stops a hang.
DEADLINE_SECONDS = 60.0


def wait_until(
    condition: Callable[[], T | None],
    what: str,
    timeout: float = DEADLINE_SECONDS,
    interval: float = 0.05,
) -> T:
    """Poll ``condition`` until it returns something truthy, and return that; fail with
    ``what`` (what the test was waiting for) when ``timeout`` seconds pass without it."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {timeout:.0f} s in vain for {what}")
        time.sleep(interval)
