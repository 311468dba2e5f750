"""The site's house hook: Dutch formatting helpers and strict templates (no browser needed)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from types import ModuleType

import jinja2
import pytest

from vhcore.house import house_path, load_house_file, shipped_houses

HOOK = Path(__file__).resolve().parents[2] / "site" / "hooks" / "house.py"


def _load_hook() -> ModuleType:
    # Loaded from its file: the folder is called ``site``, which would shadow Python's own module.
    spec = importlib.util.spec_from_file_location("vh_site_house_hook", HOOK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = _load_hook()


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(1, "1 maand"), (12, "1 jaar"), (18, "18 maanden"), (60, "5 jaar")],
)
def test_retention_periods_read_as_dutch(amount: int, expected: str) -> None:
    assert hook.months(amount) == expected


def test_times_and_lists_are_written_the_dutch_way() -> None:
    assert hook.clock(dt.time(12, 0)) == "12.00 uur"
    assert hook.clock(dt.time(9, 5)) == "9.05 uur"
    assert hook.enumerate_nl(["a"]) == "a"
    assert hook.enumerate_nl(["a", "b", "c"]) == "a, b en c"
    assert hook.number(4) == "vier"
    assert hook.number(12) == "12"


@pytest.mark.parametrize("name", shipped_houses())
def test_every_house_renders_a_page_with_its_own_values(name: str) -> None:
    house = load_house_file(house_path(name))
    env = hook.make_environment()
    text = env.from_string("{{ house.name }}: {{ house.response_term.promise }}").render(
        hook.page_context(house)
    )
    assert house.name in text


def test_a_typo_in_a_page_fails_instead_of_printing_nothing() -> None:
    house = load_house_file(house_path("voorbeeldregio"))
    env = hook.make_environment()
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ house.respons_term }}").render(hook.page_context(house))


def test_values_are_escaped_for_html() -> None:
    env = hook.make_environment()
    assert env.from_string("{{ value }}").render(value="<b>&") == "&lt;b&gt;&amp;"
