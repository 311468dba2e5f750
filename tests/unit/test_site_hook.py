"""The site's house hook: Dutch formatting helpers and strict templates (no browser needed)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import jinja2
import pytest

from vhcore import staff, status
from vhcore.house import house_path, load_house_file, shipped_houses

SITE = Path(__file__).resolve().parents[2] / "site"
HOOK = SITE / "hooks" / "house.py"
STAFF_PAGE = SITE / "docs" / "beheer" / "index.md"


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


def _staff_page(source: str | None = None) -> str:
    """The staff page's Markdown as the hook renders it (without its front matter)."""
    text = source if source is not None else STAFF_PAGE.read_text(encoding="utf-8")
    body = text.split("---\n", 2)[2]
    house = load_house_file(house_path("voorbeeldregio"))
    rendered: str = hook.make_environment().from_string(body).render(hook.page_context(house))
    return rendered


def _labels(page: str, kind: str) -> dict[str, str]:
    found = re.search(rf'<div data-kind="{kind}">(.*?)</div>', page)
    assert found, kind
    return dict(re.findall(r'<data value="([^"]*)">([^<]*)</data>', found.group(1)))


def test_the_staff_page_shows_and_enforces_what_vhcore_says() -> None:
    """Labels, transitions and rights on the staff page are generated from vhcore, not copied:
    every action form says the status it leads to, where it may start and who may do it."""
    page = _staff_page()
    assert _labels(page, "status") == {s.value: status.DUTCH[s] for s in status.Status}
    assert _labels(page, "status")["scheduled"] == "Geagendeerd voor triage"
    assert _labels(page, "group") == {g.value: staff.DUTCH[g] for g in staff.Group}
    forms = {
        attributes["data-action"]: attributes
        for tag in re.findall(r'<form class="vh-form(?: vh-action)?" ([^>]*)>', page)
        for attributes in [dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))]
        if "data-action" in attributes  # erasing is beheer's own form, outside the case
    }
    assert set(forms) == {*staff.CASE_ACTIONS, "erase"}
    assert set(forms["erase"]["data-groups"].split()) == {g.value for g in staff.RIGHTS["erase"]}
    assert forms["erase"]["data-from"].split() == [s.value for s in status.Status]
    for action, target in staff.CASE_ACTIONS.items():
        form = forms[action]
        assert form["data-to"] == (target.value if target else ""), action
        assert form["data-from"].split() == [s.value for s in status.statuses_before(target)]
        assert set(form["data-groups"].split()) == {g.value for g in staff.RIGHTS[action]}
    assert forms["close"]["data-from"] == "decided"
    assert forms["decision"]["data-groups"] == "triage procesregie"


def test_a_staff_action_the_page_names_wrongly_fails_the_build() -> None:
    source = STAFF_PAGE.read_text(encoding="utf-8").replace('action("close")', 'action("sluiten")')
    with pytest.raises(jinja2.UndefinedError):
        _staff_page(source)
