"""The product's e-mails, in plain Dutch, rendered from templates with auto-escaping.

What an e-mail may contain: the reference, dates, the next step, the house's outcome texts
and contact line. Never a betrokkene's name or details, never the description or advice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from vhcore.calendar import dutch_date, dutch_datetime
from vhcore.house import PromiseKind, current_house
from vhcore.pages import TEMPLATES
from vhcore.settings import settings

SUBJECTS = {
    "receipt": "Ontvangstbevestiging van uw aanmelding {reference}",
    "information-request": "Meer informatie nodig voor aanmelding {reference}",
    "scheduled": "Uw aanmelding {reference} staat op de agenda van de triage",
    "decision": "Besluit over uw aanmelding {reference}",
    "closed": "Uw aanmelding {reference} is afgesloten",
    "reminder-contact": "Herinnering: contact uiterlijk {respond_by} bij aanmelding {reference}",
    "escalation-contact": "Termijn verlopen: nog geen contact bij aanmelding {reference}",
    "reminder-decision": "Herinnering: besluit nodig bij aanmelding {reference}",
    "escalation-decision": "Termijn verlopen: nog geen besluit bij aanmelding {reference}",
    "reminder-information": "Herinnering: informatievraag onbeantwoord bij aanmelding {reference}",
    "agenda": "Agenda triage {triage_date}: {count} aanmelding(en)",
    "urgent": "Spoed: nieuwe aanmelding {reference}",
    "announce": "Nieuwe aanmelding {reference}",
    "digest": "Nieuwe aanmeldingen van {day}: {count}",
}
TEMPLATE_OF = {"escalation": "reminder"}
# Kinds whose subject and text depend on what they are about (contact, decision, information).
ABOUT_SOMETHING = frozenset({"reminder", "escalation"})
# E-mails to the registrant end with how to reach the house; staff mails end with what to do
# (telling the team to contact itself helps nobody).
FOR_REGISTRANT = frozenset({"receipt", "information-request", "scheduled", "decision", "closed"})


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def site_url() -> str:
    return settings().site


def _dates(context: dict[str, Any]) -> dict[str, Any]:
    """Moments and dates (or their ISO text) -> Dutch words for the reader."""
    out = dict(context)
    # Receipt is a moment; a promise is a date, never a minute (see ``vhcore.calendar``).
    for key, words in (("received_at", dutch_datetime), ("respond_by", dutch_date)):
        value = out.get(key)
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if isinstance(value, dt.datetime):
            out[key] = words(value)
    day = out.get("day")
    if isinstance(day, str):
        out["day"] = dutch_date(dt.date.fromisoformat(day))
    triage = out.get("triage_date")
    if isinstance(triage, str):
        triage = dt.date.fromisoformat(triage)
    if isinstance(triage, dt.date):
        out["triage_date"] = dutch_date(triage)
    return out


def render(kind: str, **context: Any) -> Email:
    house = current_house()
    values = _dates(context) | {
        "house": house,
        "site_url": site_url(),
        "escalation": kind == "escalation",
        "for_registrant": kind in FOR_REGISTRANT,
    }
    values.setdefault("staff_url", f"{site_url()}/beheer/")
    if "references" in values:
        values.setdefault("count", len(values["references"]))
    # A reminder queued before reminders said what they were about was about contact.
    about = values.get("about") or ("contact" if kind in ABOUT_SOMETHING else None)
    values["about"] = about
    values.setdefault("triage_answer", house.response_term.promises is PromiseKind.TRIAGE_ANSWER)
    name = TEMPLATE_OF.get(kind, kind)
    subject = SUBJECTS[f"{kind}-{about}" if about else kind].format(**values)
    env = _environment()
    text = env.get_template(f"email/{name}.txt").render(values)
    html = env.get_template(f"email/{name}.html").render(values | {"subject": subject})
    return Email(subject=subject, text=text, html=html)
