"""What the form's template needs from the models: choices with Dutch labels, the HTML limits
of every field (one source with the API, see ``vhcore.formlimits``), and the API's own Dutch
error messages, so the form's script says exactly what the API would say."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from html import escape
from typing import Any

from pydantic import ValidationError

from vhcore.criteria import EXPLAIN, NATIONAL, Question
from vhcore.formlimits import field_limits, html_attributes
from vhcore.house import House
from vhcore.messages import CHOOSE, DATE_EXAMPLE, dutch_errors, message_for
from vhcore.messages import LABELS as FIELD_LABELS
from vhcore.reference import PATTERN
from vhcore.registration import (
    LABELS,
    OTHER_ORGANISATION,
    Concern,
    Informed,
    LifeDomain,
    NotInformedReason,
    RegistrationRequest,
    Relation,
    Urgency,
)

# The API's error codes of rules beyond "required" and length, as the form's script names them.
_KINDS = {
    "value_error": "invalid",  # e-mail address
    "vh_phone": "invalid",
    "vh_date_too_early": "too-early",
    "vh_date_not_past": "not-past",
}
_ITEMS = {"persons": "betrokkene", "involved_organisations": "organisatie"}


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def _choices(kind: type[StrEnum]) -> list[Choice]:
    return [Choice(member.value, LABELS[member]) for member in kind]


def _generic(field: str) -> str:
    return ".".join(part for part in field.split(".") if not part.isdigit())


@cache
def _rule_messages() -> dict[str, dict[str, str]]:
    """{generic path: {kind: message}} for the conditional and format rules, read from the
    API by validating a few deliberately wrong requests (never typed twice)."""
    person = {
        "relation": "partner",
        "first_name": "x",
        "last_name": "x",
        "date_of_birth": "1980-01-01",
        "residence": "x",
    }
    future = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)).isoformat()
    wrong: list[dict[str, Any]] = [
        {
            "registrant": {"organisation": OTHER_ORGANISATION, "email": "x", "phone": "1"},
            "persons": [person | {"date_of_birth": "1800-01-01"}],
            "urgency": Urgency.URGENT.value,
            "criteria": [],
            "informed": Informed.NO.value,
        },
        {
            "persons": [person],
            "informed": Informed.NO.value,
            "not_informed_reason": NotInformedReason.OTHER.value,
        },
        {"persons": [person | {"date_of_birth": future}]},
    ]
    found: dict[str, dict[str, str]] = {}
    for body in wrong:
        try:
            RegistrationRequest.model_validate(body)
        except ValidationError as exc:
            for error in dutch_errors(exc.errors(include_input=False)):
                kind = _KINDS.get(error.code, "missing" if error.code.startswith("vh_") else "")
                if kind:
                    found.setdefault(_generic(error.field), {})[kind] = error.message
    return found


@dataclass(frozen=True)
class SummaryItem:
    """A line of the error summary: the message, and the id of the field it links to."""

    message: str
    href: str = ""


@dataclass(frozen=True)
class FormView:
    """``form.attrs("registrant.name")`` -> ' maxlength="100"'; ``form.relations`` etc.

    The site renders the form empty. The intake function renders it again after a plain post
    with problems: ``answers`` holds what was sent (field name -> values, as the form names
    them) and ``problems`` the Dutch message of each field that has one."""

    house: House
    answers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    problems: Mapping[str, str] = field(default_factory=dict)
    summary: tuple[SummaryItem, ...] = ()

    date_example = DATE_EXAMPLE

    def attrs(self, path: str, *, counted: bool = False) -> str:
        """HTML length attributes for a field path (list items as ``*``); a ``counted`` long
        text gets ``data-maxlength`` (see ``vhcore.formlimits.html_attributes``)."""
        return html_attributes(path, counted=counted)

    @property
    def filled(self) -> bool:
        """Whether the form is rendered again with what was sent."""
        return bool(self.answers)

    def value(self, name: str) -> str:
        """What was sent in a field ("" when nothing, or when the site renders the form)."""
        return (self.answers.get(name) or ("",))[0]

    def chosen(self, name: str, value: str) -> bool:
        """Whether a choice (checkbox, radio, option) was sent."""
        return value in self.answers.get(name, ())

    def error(self, name: str) -> str:
        """The Dutch message of a field's problem, "" when it has none."""
        return self.problems.get(name, "")

    def rows(self, kind: str) -> int:
        """How many rows of ``persons`` or ``involved_organisations`` were sent."""
        prefix = f"{kind}."
        numbers = {name.split(".")[1] for name in self.answers if name.startswith(prefix)}
        return len(numbers)

    def limit(self, path: str, key: str) -> int:
        """One limit, e.g. ``form.limit("persons", "maxItems")`` -> 8."""
        return int(field_limits()[path][key])

    def messages(self, path: str) -> str:
        """` data-missing="Vul uw naam in." data-too-long="..."`: the API's messages for a
        field, for the script's inline errors. In rows (``persons.*.x``) the row number is
        written ``{n}``; the script fills it in."""
        generic = path.replace(".*", "")
        head = generic.split(".", 1)[0]
        label = FIELD_LABELS.get(generic, "dit veld")
        if head in _ITEMS and "." in generic:
            label = f"{label} van {_ITEMS[head]} {{n}}"
        limits = field_limits()[path]
        missing = CHOOSE.get(generic) or message_for(
            "missing", generic, label, {}, own="", index=None
        )
        found = {"missing": missing}
        if limits.get("minLength", 0) > 1:
            ctx = {"min_length": limits["minLength"]}
            found["too-short"] = message_for(
                "string_too_short", generic, label, ctx, own="", index=None
            )
        if "maxLength" in limits and "format" not in limits:
            ctx = {"max_length": limits["maxLength"]}
            found["too-long"] = message_for(
                "string_too_long", generic, label, ctx, own="", index=None
            )
        if limits.get("format") == "date":
            found["invalid"] = message_for("date_parsing", generic, label, {}, own="", index=None)
        found |= _rule_messages().get(generic, {})
        return "".join(f' data-{kind}="{escape(text)}"' for kind, text in found.items())

    @property
    def reference_pattern(self) -> str:
        """The kenmerk's pattern, for the confirmation page's script (a JS-compatible regex)."""
        return PATTERN.pattern

    @property
    def partners(self) -> list[Choice]:
        return [Choice(p.id, p.name) for p in self.house.partners]

    other_organisation = OTHER_ORGANISATION
    relations = property(lambda self: _choices(Relation))
    life_domains = property(lambda self: _choices(LifeDomain))
    concerns = property(lambda self: _choices(Concern))
    urgencies = property(lambda self: _choices(Urgency))

    @property
    def criteria(self) -> list[Question]:
        """The house's criteria questions, in the order the form numbers them."""
        return self.house.criteria.questions

    @property
    def criteria_outcomes(self) -> str:
        """JSON: for every combination of ticked boxes ('1' ticked, '0' not, in order) what
        is not met, '' when the rule is met: the API's words, for the form's script."""
        return json.dumps(self.house.criteria.outcomes(), ensure_ascii=False, sort_keys=True)

    criteria_explain = EXPLAIN

    @property
    def criterion_labels(self) -> list[Choice]:
        """Every question a stored registration may have been asked, for the staff page: the
        house's, those it retired, and the national ones (older registrations)."""
        found: dict[str, str] = {}
        criteria = self.house.criteria
        for question in (*criteria.questions, *criteria.retired, *NATIONAL.questions):
            found.setdefault(question.id, question.question)
        return [Choice(key, label) for key, label in found.items()]

    informed = property(lambda self: _choices(Informed))
    not_informed_reasons = property(lambda self: _choices(NotInformedReason))
