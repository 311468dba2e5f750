"""The configuration of one house: one YAML file in ``houses/``, validated here.

Everything that differs between regions (terms, triage rhythm, outcomes, partners, retention,
contact details) is data in that file. Code never branches on which house it serves.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from vhcore.criteria import NATIONAL, Criteria
from vhcore.emailaddress import EmailAddress

HOUSE_ENV = "VH_HOUSE"
HOUSE_FILE_ENV = "VH_HOUSE_FILE"
DEFAULT_HOUSE = "voorbeeldregio"
TIMEZONE = "Europe/Amsterdam"
# A house is written as YAML; ``make build`` ships it as JSON (``bundle_house``), already
# validated, so a cold Lambda reads it without importing PyYAML (~20 ms).
SUFFIXES = (".yaml", ".json")

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Domain = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        to_lower=True,
        max_length=253,
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    ),
]


class Weekday(StrEnum):
    """Weekdays as written in a house file."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def number(self) -> int:
        """0 for Monday, as ``datetime.weekday()`` counts."""
        return list(Weekday).index(self)

    @property
    def dutch(self) -> str:
        return _DUTCH_WEEKDAYS[self.number]


_DUTCH_WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def in_words(amount: int) -> str:
    """Small numbers in words, as B1 texts write them: 'twee', 'vier'; larger ones as digits."""
    words = ("nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien")
    return words[amount] if 0 <= amount < len(words) else str(amount)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Address(_Strict):
    street: Label
    postcode: Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{3} ?[A-Z]{2}$")]
    city: Label


class PostalAddress(_Strict):
    po_box: Label
    postcode: Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{3} ?[A-Z]{2}$")]
    city: Label


class Contact(_Strict):
    """Public contact details. Every field is optional: a house publishes what it has."""

    phone: Annotated[str, StringConstraints(pattern=r"^[0-9 +()-]{8,20}$")] | None = None
    email: EmailAddress | None = None
    website: HttpUrl | None = None
    visiting_address: Address | None = None
    postal_address: PostalAddress | None = None
    office_hours: Label | None = None


class Partner(_Strict):
    """A partner organisation that may register cases, with its e-mail domains."""

    id: Slug
    name: Label
    domains: list[Domain] = Field(default_factory=list, max_length=50)

    def owns(self, email: str) -> bool:
        """True when the address's domain, or a parent domain, is one of this partner's."""
        parts = email.rpartition("@")[2].lower().split(".")
        return any(".".join(parts[i:]) in self.domains for i in range(len(parts) - 1))


class TermUnit(StrEnum):
    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    WEEKS = "weeks"


class Term(_Strict):
    """A period counted from a moment: working days (Dutch holidays skipped) or weeks."""

    amount: int = Field(ge=1, le=60)
    unit: TermUnit

    @property
    def dutch(self) -> str:
        words = {
            TermUnit.WORKING_DAYS: ("werkdag", "werkdagen"),
            TermUnit.CALENDAR_DAYS: ("dag", "dagen"),
            TermUnit.WEEKS: ("week", "weken"),
        }[self.unit]
        return f"{self.amount} {words[0] if self.amount == 1 else words[1]}"


class PromiseKind(StrEnum):
    """What a house promises by the end of its response term."""

    CONTACT = "contact"  # a staff member makes contact; the term counts from receipt
    TRIAGE_ANSWER = "triage_answer"  # the triage's answer; the term counts from the triage


class ResponseTerm(Term):
    """What the house promises to a registrant after receipt, and by when.

    ``amount`` and ``unit`` are counted from the day of receipt when the house promises
    contact, and from the triage meeting (the reply time after triage) when it promises the
    triage's answer. Either way the promise is a working day (see ``vhcore.calendar``)."""

    promises: PromiseKind = Field(
        default=PromiseKind.CONTACT,
        description="contact (counted from receipt) or triage_answer (counted from the triage).",
    )
    promise: Text = Field(description="The promise in plain Dutch, shown on the site and form.")


class Cutoff(_Strict):
    weekday: Weekday
    time: dt.time

    @field_validator("time", mode="before")
    @classmethod
    def _parse_time(cls, value: Any) -> Any:
        if isinstance(value, str) and re.fullmatch(r"\d{1,2}:\d{2}", value):
            hours, minutes = value.split(":")
            return dt.time(int(hours), int(minutes))
        return value


class TriageRhythm(_Strict):
    """When registrations are weighed. ``weekly`` is None for houses without a fixed day."""

    weekly: Weekday | None = None
    cutoff: Cutoff | None = None
    timezone: Literal["Europe/Amsterdam"] = "Europe/Amsterdam"
    participants: Text = Field(
        default="medewerkers van het Veiligheidshuis en enkele directe partners",
    )

    @model_validator(mode="after")
    def _cutoff_goes_with_weekly(self) -> Self:
        if (self.weekly is None) != (self.cutoff is None):
            raise ValueError("weekly and cutoff must be given together, or both left out")
        return self


class Outcome(_Strict):
    id: Slug
    label: Label
    description: Text
    taken_on: bool = Field(description="True when the house takes the case on (procesregie).")


class Announce(StrEnum):
    """How staff hear of new registrations."""

    EACH = "each"  # one e-mail per registration, at once
    DAILY = "daily"  # one digest per working day, of the day before


class FollowUp(_Strict):
    """How the house follows its own promises up: a reminder to the staff mailbox before a
    promise lapses, an escalation to someone else (the stack's ``EscalationMailbox``) when it
    has lapsed, and how new and urgent registrations are announced."""

    remind_before: int = Field(
        default=1,
        ge=1,
        le=10,
        description="Working days before a promise lapses that staff are reminded (at 09:00).",
    )
    escalate_to: Label = Field(
        default="de teamleider",
        description="Who the escalation mailbox reaches, in words ('de procesregisseur').",
    )
    decide_within: Term = Field(
        default=Term(amount=2, unit=TermUnit.WORKING_DAYS),
        description="A house promising contact: when the decision is due after the triage.",
    )
    information_within: Term = Field(
        default=Term(amount=5, unit=TermUnit.WORKING_DAYS),
        description="When staff are reminded that an information request is unanswered.",
    )
    urgent_term: Term = Field(
        default=Term(amount=1, unit=TermUnit.WORKING_DAYS),
        description="The response term of an urgent registration, counted from receipt.",
    )
    announce: Announce = Field(
        default=Announce.DAILY,
        description="each: an e-mail per new registration; daily: one digest per working day.",
    )


class Retention(_Strict):
    """How long data is kept, in months: from receipt while undecided, from the decision
    (and again from closing) once decided; the audit log from each record."""

    not_taken_on_months: int = Field(ge=1, le=120)
    taken_on_months: int = Field(ge=1, le=240)
    undecided_months: int | None = Field(
        default=None,
        ge=1,
        le=240,
        description="A case without a decision, from receipt; default: the longer period.",
    )
    audit_log_months: int = Field(ge=12, le=240)

    @property
    def undecided(self) -> int:
        return self.undecided_months or max(self.not_taken_on_months, self.taken_on_months)

    @model_validator(mode="after")
    def _audit_outlives_data(self) -> Self:
        if self.audit_log_months < max(
            self.not_taken_on_months, self.taken_on_months, self.undecided
        ):
            raise ValueError("audit_log_months must be at least as long as the data it audits")
        return self


class Privacy(_Strict):
    covenant: Label = Field(description="Name of the regional privacy covenant.")
    covenant_url: HttpUrl | None = None
    controller: Label = Field(description="Who is responsible (verwerkingsverantwoordelijke).")
    dpo_email: EmailAddress | None = Field(
        default=None, description="Functionaris gegevensbescherming"
    )


class Unconfirmed(StrEnum):
    """Values of a house file that its public sources do not give: written down so the system
    works, but not confirmed by the house. Partners see an unconfirmed term or list of
    outcomes only in words that promise nothing; ``make deploy`` names them all."""

    RESPONSE_TERM = "response_term"
    OUTCOMES = "outcomes"
    TRIAGE = "triage"
    CRITERIA = "criteria"
    PARTNERS = "partners"
    CONTACT = "contact"
    RETENTION = "retention"
    PRIVACY = "privacy"


class House(_Strict):
    """One Veiligheidshuis: everything the site, the API and the workflow need to know."""

    id: Slug
    name: Label = Field(description="Full name, e.g. 'Zorg- en Veiligheidshuis Noord-Holland'.")
    short_name: Label
    region: Label
    about: Text = Field(description="A few plain-Dutch sentences on what this house is.")
    contact: Contact
    partners: list[Partner] = Field(min_length=1, max_length=200)
    response_term: ResponseTerm
    follow_up: FollowUp = FollowUp()
    triage: TriageRhythm
    outcomes: list[Outcome] = Field(min_length=2, max_length=10)
    retention: Retention
    privacy: Privacy
    criteria: Criteria = Field(
        default=NATIONAL,
        description="The questions a registrant answers and the rule; default: the national.",
    )
    unconfirmed: list[Unconfirmed] = Field(
        default_factory=list,
        max_length=len(Unconfirmed),
        description="Values the house has not confirmed: published without a promise.",
    )

    def confirmed(self, value: Unconfirmed) -> bool:
        return value not in self.unconfirmed

    @property
    def promises_a_date(self) -> bool:
        """Whether partners are promised a date ("uiterlijk <date>"): only for a confirmed
        response term."""
        return self.confirmed(Unconfirmed.RESPONSE_TERM)

    @property
    def public_promise(self) -> str:
        """The response term as partners read it: the house's own words when it confirmed
        the term, otherwise words that aim at the term and promise nothing."""
        term = self.response_term
        if self.promises_a_date:
            return term.promise
        if term.promises is PromiseKind.TRIAGE_ANSWER:
            aim = f"u binnen {term.dutch} na de triage het besluit te laten weten"
        else:
            aim = f"binnen {term.dutch} na ontvangst contact met u op te nemen"
        return f"Wij streven ernaar {aim}. Een vaste termijn is nog niet afgesproken."

    @property
    def outcomes_intro(self) -> str:
        """How the outcomes are introduced: as the list, or as examples when unconfirmed."""
        if self.confirmed(Unconfirmed.OUTCOMES):
            return f"Er zijn {in_words(len(self.outcomes))} mogelijke uitkomsten:"
        return "Mogelijke uitkomsten zijn bijvoorbeeld:"

    @model_validator(mode="after")
    def _unique_ids(self) -> Self:
        for kind, ids in (
            ("partners", [p.id for p in self.partners]),
            ("outcomes", [o.id for o in self.outcomes]),
        ):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"{kind}: duplicate id(s) {', '.join(duplicates)}")
        if len(set(self.unconfirmed)) != len(self.unconfirmed):
            raise ValueError("unconfirmed: a value is named twice")
        if not any(o.taken_on for o in self.outcomes):
            raise ValueError("outcomes: at least one outcome must take the case on")
        return self

    @model_validator(mode="after")
    def _triage_answer_needs_a_triage_day(self) -> Self:
        if self.response_term.promises is PromiseKind.TRIAGE_ANSWER and self.triage.weekly is None:
            raise ValueError(
                "response_term.promises: triage_answer needs a weekly triage day "
                "(triage.weekly and triage.cutoff); without one, promise contact"
            )
        return self

    @property
    def kind(self) -> str:
        """'Zorg- en Veiligheidshuis' or 'Veiligheidshuis', as the house calls itself."""
        kind = "Zorg- en Veiligheidshuis"
        return kind if kind in self.name else "Veiligheidshuis"

    def address_of(self, organisation: str, email: str) -> bool:
        """True when the address belongs to the partner ``organisation`` (by its id): only then
        does a receipt go to it, so nobody can have receipts sent to an address of their
        choosing."""
        return any(p.id == organisation and p.owns(email) for p in self.partners)

    def outcome(self, outcome_id: str) -> Outcome:
        for outcome in self.outcomes:
            if outcome.id == outcome_id:
                return outcome
        raise KeyError(outcome_id)


class HouseConfigError(ValueError):
    """A house file that cannot be used; the message names the file, field and problem."""


def houses_dir() -> Path:
    """The ``houses/`` folder: beside ``functions/`` in the repository, or bundled."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "houses", here.parent.parent / "houses"):
        if candidate.is_dir():
            return candidate
    raise HouseConfigError(f"no houses/ folder found near {here}")


def house_path(name: str | None = None) -> Path:
    explicit = os.environ.get(HOUSE_FILE_ENV)
    if explicit and name is None:
        return Path(explicit)
    slug = name or os.environ.get(HOUSE_ENV) or DEFAULT_HOUSE
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise HouseConfigError(f"{HOUSE_ENV}={slug!r}: not a house name (lowercase, digits, -)")
    folder = houses_dir()
    for suffix in SUFFIXES:
        if (folder / f"{slug}{suffix}").is_file():
            return folder / f"{slug}{suffix}"
    return folder / f"{slug}{SUFFIXES[0]}"


def _read(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except ValueError as exc:
            raise HouseConfigError(f"{path}: not valid JSON: {exc}") from exc
    import yaml  # only where house files are written by hand: tools, tests, the local stack

    try:
        # The safe loader in C (libyaml, in PyYAML's wheels) when there is one.
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except yaml.YAMLError as exc:
        raise HouseConfigError(f"{path}: not valid YAML: {exc}") from exc


def load_house_file(path: Path) -> House:
    """Read and validate one house file; every problem is reported with file and field."""
    try:
        raw = _read(path)
    except FileNotFoundError as exc:
        raise HouseConfigError(f"{path}: file not found") from exc
    if not isinstance(raw, dict):
        raise HouseConfigError(f"{path}: expected a mapping of fields at the top level")
    raw.setdefault("id", path.stem)
    if raw["id"] != path.stem:
        raise HouseConfigError(f"{path}: id: {raw['id']!r} must equal the file name {path.stem!r}")
    try:
        return House.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"{path}: {'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors(include_url=False, include_input=False)
        ]
        raise HouseConfigError("\n".join(problems)) from None


def bundle_house(source: Path, folder: Path) -> Path:
    """Validate a house file and write it to ``folder`` as JSON, as the Lambda reads it.
    Refuses a house whose JSON would not read back as the same house."""
    house = load_house_file(source)
    target = folder / f"{house.id}.json"
    target.write_text(house.model_dump_json(indent=1), encoding="utf-8")
    if load_house_file(target) != house:
        raise HouseConfigError(f"{source}: does not read back the same from {target}")
    return target


@cache
def current_house() -> House:
    """The house this process serves, chosen by ``VH_HOUSE`` (or ``VH_HOUSE_FILE``)."""
    return load_house_file(house_path())


def shipped_houses() -> list[str]:
    folder = houses_dir()
    return sorted({p.stem for suffix in SUFFIXES for p in folder.glob(f"*{suffix}")})
