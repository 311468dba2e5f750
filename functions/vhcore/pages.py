"""HTML answers for the plain form (no JavaScript), rendered with auto-escaping.

The intake function answers a plain post with a page in the site's look (``page.html``):
the confirmation, with the registrant's own reference and dates (``confirmation.html``, the
template the site's confirmation page includes), or the form itself again
(``registration-form.html``, the template the site includes), filled in with what was sent,
each problem beside its field and in the summary at the top, whose links go to the fields.
Nothing personal goes into a URL: the page is the answer to the POST.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vhcore.house import current_house

if TYPE_CHECKING:
    import jinja2

    from vhcore.messages import FieldError

TEMPLATES = Path(__file__).resolve().parent / "templates"
# The fields of the form that are never shown again: the honeypot stays empty.
_NOT_SHOWN = frozenset({"website"})
_ROWS = {"persons": "Betrokkene", "involved_organisations": "Organisatie"}
_ELEMENT = re.compile(r"<(input|select|textarea|fieldset|div)\b[^>]*?\sid=\"([^\"]+)\"")


@cache
def environment() -> jinja2.Environment:
    # Imported on first use: only the plain form's pages need it, so a JSON request
    # (the form's script) never pays for Jinja2.
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render(template: str, **context: Any) -> str:
    house = current_house()
    return environment().get_template(template).render(house=house, huis=house.kind, **context)


def answers_of(data: Mapping[str, Any], prefix: str = "") -> dict[str, tuple[str, ...]]:
    """The decoded form post (``vhcore.formpost.decode_form``) as the form names its fields:
    ``{"persons.1.first_name": ("...",), "life_domains": ("a", "b"), "declaration": ("ja",)}``.
    Rows are numbered as the API numbers them (gaps closed), so problems and rows agree."""
    found: dict[str, tuple[str, ...]] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if name in _NOT_SHOWN:
            continue
        if isinstance(value, Mapping):
            found |= answers_of(value, f"{name}.")
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            for index, row in enumerate(value):
                found |= answers_of(row, f"{name}.{index}.")
        elif isinstance(value, list):
            found[name] = tuple(str(v) for v in value)
        elif isinstance(value, bool):
            if value:
                found[name] = ("ja",)
        elif value is not None:
            found[name] = (str(value),)
    return found


def summary_message(field: str, message: str) -> str:
    """A problem in a row names its row first, unless the message already does:
    "Betrokkene 2: De datum moet in het verleden liggen."."""
    parts = field.split(".")
    if len(parts) > 1 and parts[0] in _ROWS and parts[1].isdigit():
        row = f"{_ROWS[parts[0]]} {int(parts[1]) + 1}"
        if row.lower() not in message.lower():
            return f"{row}: {message}"
    return message


def _anchor(field: str, elements: list[tuple[str, str]]) -> str:
    """The id a summary link goes to: the field itself, or the nearest enclosing one that
    the page has (``persons.1`` -> its first field); for a group of choices, its first
    choice. "" when the page has none (the link is then plain text)."""
    ids = [element_id for _, element_id in elements]
    parts = field.split(".")
    while parts:
        name = ".".join(parts)
        if name in ids:
            position = ids.index(name)
            for tag, element_id in elements[position:]:
                if tag in {"input", "select", "textarea"}:
                    return element_id
            return name
        inside = next((i for i in ids if i.startswith(f"{name}.")), None)
        if inside is not None and len(parts) > 1:
            return inside
        parts.pop()
    return ""


def form_page(
    data: Mapping[str, Any],
    errors: Iterable[FieldError],
    *,
    title: str,
    message: str,
    correlation_id: str | None,
) -> str:
    """The form again, filled in with ``data`` (decoded), its problems inline and in the
    summary (each linked to its field, rows named), under a heading that says what to do."""
    from vhcore.formview import FormView, SummaryItem

    house = current_house()
    problems = list(errors)
    inline = {p.field: p.message for p in problems}
    answers = answers_of(data)
    form = FormView(house, answers=answers, problems=inline)
    elements = _ELEMENT.findall(render("registration-form.html", form=form))
    summary = tuple(
        SummaryItem(summary_message(p.field, p.message), _anchor(p.field, elements))
        for p in problems
    ) or (SummaryItem(message),)
    form = FormView(house, answers=answers, problems=inline, summary=summary)
    return render(
        "form-page.html", title=title, message=message, form=form, correlation_id=correlation_id
    )


@dataclass(frozen=True)
class Confirmed:
    """What the confirmation shows: the reference and the promised dates, in Dutch."""

    reference: str
    contact: str
    triage: str
    receipt: bool


def confirmation_page(
    reference: str, respond_by: dt.datetime, triage_date: dt.date | None, *, receipt: bool
) -> str:
    from vhcore.calendar import dutch_date
    from vhcore.formview import FormView

    confirmed = Confirmed(
        reference=reference,
        contact=dutch_date(respond_by),
        triage=dutch_date(triage_date) if triage_date else "",
        receipt=receipt,
    )
    house = current_house()
    return render(
        "confirmation-page.html",
        title="Aanmelding ontvangen",
        confirmed=confirmed,
        form=FormView(house),
    )
