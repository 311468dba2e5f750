"""Fixtures of the rules' tests: fresh in-memory ports and a fixed clock (another house:
``use_house`` in ``tests/unit/conftest.py``)."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

import pytest

from tests.unit.logic.support import MONDAY
from vhcore import clock
from vhcore.dal.memory import (
    MemoryMailer,
    MemoryOnce,
    MemoryOutbox,
    MemorySent,
    MemoryStore,
    MemoryWorkflow,
    memory_services,
)
from vhcore.ports import Services

T = TypeVar("T")


class FrozenClock:
    """The domain's clock (``vhcore.clock.now``), standing still until a test moves it."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def now(self) -> dt.datetime:
        return self.moment.astimezone(dt.UTC)

    def advance(self, **delta: float) -> dt.datetime:
        self.moment += dt.timedelta(**delta)
        return self.moment


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    frozen = FrozenClock(MONDAY)
    monkeypatch.setattr(clock, "now", frozen.now)
    return frozen


@pytest.fixture
def services() -> Services:
    return memory_services()


def _memory(port: object, kind: type[T]) -> T:
    assert isinstance(port, kind), f"{port!r} is not a {kind.__name__}"
    return port


@pytest.fixture
def store(services: Services) -> MemoryStore:
    return _memory(services.store, MemoryStore)


@pytest.fixture
def outbox(services: Services) -> MemoryOutbox:
    return _memory(services.outbox, MemoryOutbox)


@pytest.fixture
def mailer(services: Services) -> MemoryMailer:
    return _memory(services.mailer, MemoryMailer)


@pytest.fixture
def workflow(services: Services) -> MemoryWorkflow:
    return _memory(services.workflow, MemoryWorkflow)


@pytest.fixture
def once(services: Services) -> MemoryOnce:
    return _memory(services.once, MemoryOnce)


@pytest.fixture
def sent(services: Services) -> MemorySent:
    return _memory(services.sent, MemorySent)
