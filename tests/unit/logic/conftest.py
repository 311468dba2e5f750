"""Fixtures of the rules' tests: fresh in-memory ports, a fixed clock, another house."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest

from tests.unit.logic.support import MONDAY
from vhcore import clock
from vhcore.dal.memory import (
    MemoryMailer,
    MemoryOnce,
    MemoryOutbox,
    MemoryStore,
    MemoryWorkflow,
    memory_services,
)
from vhcore.house import House, current_house
from vhcore.ports import Services


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
def use_house(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], House]]:
    """Serve another house (``VH_HOUSE``) for the rest of the test; the default afterwards."""

    def use(name: str) -> House:
        monkeypatch.delenv("VH_HOUSE_FILE", raising=False)
        monkeypatch.setenv("VH_HOUSE", name)
        current_house.cache_clear()
        return current_house()

    yield use
    current_house.cache_clear()


@pytest.fixture
def services() -> Services:
    return memory_services()


@pytest.fixture
def store(services: Services) -> MemoryStore:
    assert isinstance(services.store, MemoryStore)
    return services.store


@pytest.fixture
def outbox(services: Services) -> MemoryOutbox:
    assert isinstance(services.outbox, MemoryOutbox)
    return services.outbox


@pytest.fixture
def mailer(services: Services) -> MemoryMailer:
    assert isinstance(services.mailer, MemoryMailer)
    return services.mailer


@pytest.fixture
def workflow(services: Services) -> MemoryWorkflow:
    assert isinstance(services.workflow, MemoryWorkflow)
    return services.workflow


@pytest.fixture
def once(services: Services) -> MemoryOnce:
    assert isinstance(services.once, MemoryOnce)
    return services.once
