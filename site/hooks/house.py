"""MkDocs hook: one site per house.

Loads the house chosen by ``VH_HOUSE`` (see ``vhcore.house``), names the site after it, and
renders every page's Markdown (and the string values of its front matter) as a Jinja2
template with ``house``, a few Dutch formatting helpers and ``staff`` (the staff page's labels,
transitions and rights, from ``vhcore``) in the context. Undefined names
fail the build (``StrictUndefined``), so a typo in a page cannot reach the public site.
Partials (``{% include "registration-form.html" %}``) are loaded from the functions' templates
(``functions/vhcore/templates/``): the intake function renders the same form again, filled in,
when a post without JavaScript has problems (``vhcore.pages``).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

SITE = Path(__file__).resolve().parent.parent
REPO = SITE.parent
PARTIALS = REPO / "functions" / "vhcore" / "templates"

if str(REPO / "functions") not in sys.path:
    sys.path.insert(0, str(REPO / "functions"))

from vhcore import staff, status  # noqa: E402
from vhcore.criteria import NATIONAL  # noqa: E402
from vhcore.formview import FormView  # noqa: E402
from vhcore.house import House, HouseConfigError, current_house, in_words  # noqa: E402


def months(amount: int) -> str:
    """A retention period in plain Dutch: whole years as years, otherwise months."""
    if amount % 12 == 0:
        return f"{amount // 12} jaar"
    return f"{amount} {'maand' if amount == 1 else 'maanden'}"


def clock(moment: dt.time) -> str:
    """Dutch notation for a time of day: 12.00 uur."""
    return f"{moment.hour}.{moment.minute:02d} uur"


def enumerate_nl(items: Iterable[Any]) -> str:
    """'a', 'a en b', 'a, b en c'."""
    words = [str(item) for item in items]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} en {words[-1]}"


def number(amount: int) -> str:
    """Small numbers in words, as B1 texts write them: 'twee', 'vier'; larger ones as digits."""
    return in_words(amount)


def house_kind(house: House) -> str:
    """'Zorg- en Veiligheidshuis' or 'Veiligheidshuis', as the house calls itself."""
    return house.kind


def staff_page() -> dict[str, Any]:
    """What the staff page (beheer/) shows and enforces, from vhcore: the Dutch names of the
    statuses and groups and, per action on a case, the status it leads to (``to``, empty when
    the status stays), the statuses it may start from (``from``) and the groups that may do it
    (``groups``), each as the space-separated values the page's script reads."""
    return {
        "statuses": {s.value: status.DUTCH[s] for s in status.Status},
        "groups": {g.value: staff.DUTCH[g] for g in staff.Group},
        "purposes": {p.value: label for p, label in staff.PURPOSES.items()},
        "plan": {"groups": " ".join(g.value for g in staff.Group if g in staff.RIGHTS["plan"])},
        "export": {"groups": " ".join(g.value for g in staff.Group if g in staff.RIGHTS["export"])},
        "erase": {
            "groups": " ".join(g.value for g in staff.Group if g in staff.RIGHTS["erase"]),
            "reasons": {c.value: label for c, label in staff.ERASE_REASONS.items()},
        },
        # Per right (vhcore.staff.RIGHTS_TABLE): the groups that have it, and the help's table.
        "rights": {
            name: " ".join(g.value for g in staff.Group if g in right.groups)
            for name, right in staff.RIGHTS_TABLE.items()
        },
        "rights_table": [
            {"what": right.dutch, "groups": [g in right.groups for g in staff.Group]}
            for right in staff.RIGHTS_TABLE.values()
        ],
        "actions": {
            name: {
                "to": target.value if target else "",
                "from": " ".join(s.value for s in status.statuses_before(target)),
                "groups": " ".join(g.value for g in staff.Group if g in staff.RIGHTS[name]),
            }
            for name, target in staff.CASE_ACTIONS.items()
        },
    }


def page_context(house: House) -> dict[str, Any]:
    """What every page sees besides Markdown: the house and Dutch formatting helpers."""
    contact = house.contact
    return {
        "house": house,
        "form": FormView(house),
        "huis": house_kind(house),
        "has_contact": any(
            (contact.phone, contact.email, contact.visiting_address, contact.postal_address)
        ),
        "staff": staff_page(),
        "national": NATIONAL,
        "taken_on": [o for o in house.outcomes if o.taken_on],
        "not_taken_on": [o for o in house.outcomes if not o.taken_on],
        "months": months,
        "clock": clock,
        "number": number,
        "enumerate_nl": enumerate_nl,
    }


def make_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PARTIALS),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


class _State:
    house: House | None = None
    env: jinja2.Environment | None = None
    context: dict[str, Any] = {}  # noqa: RUF012 - replaced, never mutated


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    try:
        current_house.cache_clear()  # `mkdocs serve` re-reads the house file on every build
        house = current_house()
    except HouseConfigError as exc:
        raise PluginError(f"house configuration: {exc}") from exc
    _State.house = house
    _State.env = make_environment()
    _State.context = page_context(house)
    config["site_name"] = house.name
    config["site_description"] = house.about
    config["copyright"] = house.name
    return config


def _render(source: str, name: str) -> str:
    if _State.env is None:
        raise PluginError("hooks/house.py: on_config did not run")
    try:
        return _State.env.from_string(source).render(_State.context)
    except jinja2.TemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f"{name}:{line}" if line else name
        raise PluginError(f"{where}: {type(exc).__name__}: {exc}") from exc


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    name = page.file.src_uri
    for key, value in list(page.meta.items()):
        if isinstance(value, str) and ("{{" in value or "{%" in value):
            page.meta[key] = _render(value, f"{name} (front matter '{key}')")
    return _render(markdown, name)


def on_post_build(config: MkDocsConfig) -> None:
    """Material's stylesheet under a name that stays the same between builds
    (``assets/stylesheets/theme.css``): the pages the API renders itself (``vhcore.pages``)
    link it, so they look like the site without knowing this build's file name."""
    folder = Path(config["site_dir"]) / "assets" / "stylesheets"
    found = sorted(folder.glob("main.*.min.css"))
    if len(found) != 1:
        raise PluginError(f"expected one Material stylesheet in {folder}, found {len(found)}")
    shutil.copyfile(found[0], folder / "theme.css")


def on_page_context(
    context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Any
) -> dict[str, Any]:
    context["house"] = _State.house
    return context


__all__ = [
    "clock",
    "enumerate_nl",
    "house_kind",
    "make_environment",
    "months",
    "number",
    "on_config",
    "on_page_context",
    "on_page_markdown",
    "on_post_build",
    "page_context",
    "staff_page",
]
