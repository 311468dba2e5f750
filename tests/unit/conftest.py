"""Fixtures of the unit tests: another house for a test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from vhcore.house import House, current_house


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
