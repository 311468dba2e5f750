"""The registration as partners send it: pydantic models with every limit of docs/form.md.

These models are the one source of the form's limits: the API validates with them, and the
OpenAPI document (and from it the form) is generated from them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from vhcore.criteria import EXPLAIN, MAX_QUESTIONS
from vhcore.emailaddress import EmailAddress
from vhcore.house import current_house

OTHER_ORGANISATION = "anders"


# The whitespace that stripping removes (pydantic strips Unicode White_Space), as a character
# class both Python and the ECMA-262 patterns of JSON Schema read the same way (their ``\s``
# differ). ``tests/unit/test_registration_model.py`` checks it against pydantic.
WHITESPACE = r"\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# The same without control characters: the spaces a single-line field may hold.
SPACES = r" \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

# Control and format characters (Unicode categories Cc and Cf): NUL, ESC, BEL, bidi overrides
# (U+202E), zero-width characters (U+200B, U+200D, U+FEFF), ... They are invisible or change
# how a text is shown, so no field takes them; a text of several lines keeps its line breaks
# and tabs. As character classes for Python and the ECMA-262 patterns of JSON Schema alike
# (characters beyond U+FFFF are written as themselves: ECMA-262 has no ``\U`` escape);
# ``tests/unit/test_registration_model.py`` checks them against ``unicodedata``.
_FORMAT = (
    r"\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
CONTROL = r"\x00-\x1f\x7f-\x9f" + _FORMAT
# What a text of several lines refuses: all of CONTROL but tab, line feed and carriage return.
CONTROL_IN_TEXT = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + _FORMAT
_CONTROL = re.compile(f"[{CONTROL}]")
_CONTROL_IN_TEXT = re.compile(f"[{CONTROL_IN_TEXT}]")


@dataclass(frozen=True)
class _Pattern:
    """States a rule in the JSON schema (and so in the OpenAPI document) that validation
    enforces in another way, so that data valid by the document is accepted by the API."""

    pattern: str
    format: str | None = None  # a name for readers and generators of the document

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["pattern"] = self.pattern
        if self.format:
            schema["format"] = self.format
        return schema


@dataclass(frozen=True)
class _Text(StringConstraints):
    """Text without the whitespace around it (it is stripped), of at most ``max_length``
    characters as sent, whitespace included, as the form's ``maxlength`` counts them, and
    without control or format characters (``CONTROL``); a ``multiline`` text keeps its line
    breaks and tabs.

    The JSON schema's ``maxLength`` and ``minLength`` count what is sent, so ``"   "`` would
    pass ``minLength: 1``: a pattern also states at least ``min_length`` characters from the
    first to the last that is not whitespace, and that no refused character occurs."""

    multiline: bool = False

    def __iter__(self) -> Iterator[Any]:
        yield from super().__iter__()
        refused = CONTROL_IN_TEXT if self.multiline else CONTROL
        least = self.min_length or 1
        other = f"[^{refused}]"  # any character the field takes
        text = f"[^{refused}{WHITESPACE}]"  # ... that is not whitespace
        middle = "" if least == 1 else f"{other}{{{least - 2},}}{text}"
        yield _Pattern(f"^{other}*{text}{middle}{other}*$")
        yield BeforeValidator(partial(_plain_characters, self.multiline))
        if self.max_length is not None:
            yield BeforeValidator(partial(_at_most, self.max_length))


def _at_most(max_length: int, value: object) -> object:
    """The length limit on the text as sent, before it is stripped."""
    if isinstance(value, str) and len(value) > max_length:
        raise PydanticCustomError(
            "string_too_long",
            "String should have at most {max_length} characters",
            {"max_length": max_length},
        )
    return value


def _plain_characters(multiline: bool, value: object) -> object:
    """No control or format characters, also not around the text (before it is stripped)."""
    refused = _CONTROL_IN_TEXT if multiline else _CONTROL
    if isinstance(value, str) and refused.search(value):
        raise PydanticCustomError(
            "string_characters", "The text holds a control or format character"
        )
    return value


def single_line(max_length: int, min_length: int = 1) -> object:
    """A single-line text (a name, a place, a function)."""
    return _Text(strip_whitespace=True, min_length=min_length, max_length=max_length)


def multi_line(max_length: int, min_length: int = 1) -> object:
    """A text of one or more lines (a description, an explanation)."""
    return _Text(
        strip_whitespace=True, min_length=min_length, max_length=max_length, multiline=True
    )


# What _dutch_phone accepts: 10 digits from 0[1-9] (or +31 / 0031 for the 0), with spaces,
# dots, dashes and brackets anywhere between them (no tabs or line breaks: no control
# characters, as in every single-line field).
_SEP = rf"[{SPACES}().-]*"
PHONE_PATTERN = (
    rf"^{_SEP}(?:\+{_SEP}3{_SEP}1|0{_SEP}0{_SEP}3{_SEP}1|0){_SEP}[1-9](?:{_SEP}[0-9]){{8}}{_SEP}$"
)
PHONE_FORMAT = "nl-phone"
# From 1900 on (_past_date); "before today" has no JSON-schema keyword and is only described.
BIRTH_DATE_PATTERN = r"^(?:19[0-9]{2}|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$"


def _dutch_phone(value: str) -> str:
    digits = re.sub(rf"[{WHITESPACE}().-]", "", value)
    if digits.startswith("+31"):
        digits = "0" + digits[3:]
    elif digits.startswith("0031"):
        digits = "0" + digits[4:]
    if not re.fullmatch(r"0[1-9][0-9]{8}", digits):
        raise PydanticCustomError(
            "vh_phone", "Vul een Nederlands telefoonnummer in van 10 cijfers, zoals 06 12345678."
        )
    return value


def _past_date(value: dt.date) -> dt.date:
    if value < dt.date(1900, 1, 1):
        raise PydanticCustomError("vh_date_too_early", "De datum mag niet voor 1900 liggen.")
    if value >= dt.datetime.now(dt.UTC).date():
        raise PydanticCustomError("vh_date_not_past", "De datum moet in het verleden liggen.")
    return value


def _iso_date_only(value: object) -> object:
    """A date is written YYYY-MM-DD: pydantic would also take a number of seconds ("0")."""
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PydanticCustomError("date_parsing", "Not a date (YYYY-MM-DD)")
    if isinstance(value, int | float):
        raise PydanticCustomError("date_type", "Not a date (YYYY-MM-DD)")
    return value


def _strict_yes(value: object) -> object:
    """Yes is JSON's ``true`` only: pydantic would also take ``1`` (and ``1.0``) for it. The
    plain HTML form's ticked box is made ``true`` when it is decoded (``vhcore.formpost``)."""
    if not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "Input should be true or false")
    return value


IsoDate = Annotated[
    dt.date,
    BeforeValidator(_iso_date_only),
    WithJsonSchema({"type": "string", "format": "date", "maxLength": 10}),
]
Name = Annotated[str, single_line(100)]
Phone = Annotated[
    str, single_line(20), AfterValidator(_dutch_phone), _Pattern(PHONE_PATTERN, format=PHONE_FORMAT)
]
BirthDate = Annotated[
    dt.date,
    BeforeValidator(_iso_date_only),
    AfterValidator(_past_date),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "maxLength": 10,
            "pattern": BIRTH_DATE_PATTERN,
            "description": "From 1900-01-01 up to yesterday.",
        }
    ),
]
Timestamp = Annotated[
    dt.datetime, WithJsonSchema({"type": "string", "format": "date-time", "maxLength": 32})
]
Day = Annotated[dt.date, WithJsonSchema({"type": "string", "format": "date", "maxLength": 10})]


class _Input(BaseModel):
    """Input models reject unknown fields and trim whitespace."""

    # Built on first use: only intake validates registrations; every other function imports
    # this module for its types and limits (a cold start each).
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True, defer_build=True
    )


def _partner_ids(schema: dict[str, Any]) -> None:
    """The house's partner list, when the schema is generated (never at import)."""
    schema["enum"] = [*(p.id for p in current_house().partners), OTHER_ORGANISATION]


def _required_if(field: str, value: object, *required: str) -> dict[str, Any]:
    """JSON schema: when ``field`` is ``value``, the ``required`` fields are filled in."""
    return {
        "if": {"properties": {field: {"const": value}}, "required": [field]},
        "then": _filled(*required),
    }


def _filled(*names: str) -> dict[str, Any]:
    return {"required": list(names), "properties": {n: {"not": {"type": "null"}} for n in names}}


class Registrant(_Input):
    """Aanmelder: the professional who registers the case."""

    model_config = ConfigDict(
        json_schema_extra={"allOf": [_required_if("organisation", "anders", "organisation_name")]}
    )

    organisation: Annotated[str, single_line(64)] = Field(
        description="Id of a partner organisation of this house, or 'anders'.",
        json_schema_extra=_partner_ids,
    )
    organisation_name: Annotated[str, single_line(120)] | None = Field(
        default=None,
        validate_default=True,
        description="Name of the organisation when organisation is 'anders'.",
    )
    name: Name
    role: Annotated[str, single_line(100)]
    email: EmailAddress
    phone: Phone
    availability: Annotated[str, single_line(200)] | None = None

    @field_validator("organisation")
    @classmethod
    def _known_organisation(cls, value: str) -> str:
        if value != OTHER_ORGANISATION and value not in {p.id for p in current_house().partners}:
            raise PydanticCustomError(
                "vh_organisation", "Kies uw organisatie uit de lijst, of kies 'Andere organisatie'."
            )
        return value

    @field_validator("organisation_name")
    @classmethod
    def _name_of_other_organisation(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("organisation") == OTHER_ORGANISATION and not value:
            raise PydanticCustomError("vh_organisation_name", "Vul de naam van uw organisatie in.")
        return value


class Relation(StrEnum):
    MAIN = "hoofdbetrokkene"
    PARTNER = "partner"
    CHILD = "kind"
    PARENT = "ouder-verzorger"
    FAMILY = "ander-gezinslid"
    OTHER = "overig"


class Person(_Input):
    """Betrokkene. No BSN or other national identifier, by design (data minimisation)."""

    relation: Relation
    first_name: Name
    last_name: Name
    date_of_birth: BirthDate
    residence: Annotated[str, single_line(100)]
    address: Annotated[str, single_line(200)] | None = None


class LifeDomain(StrEnum):
    FINANCES = "financien-schulden"
    HOUSING = "huisvesting"
    WORK = "werk-opleiding-dagbesteding"
    ADDICTION = "verslaving"
    MENTAL_HEALTH = "psychische-gezondheid"
    PHYSICAL_HEALTH = "lichamelijke-gezondheid"
    BEHAVIOUR = "gedrag-agressie"
    JUSTICE = "politie-justitie"
    DOMESTIC_SAFETY = "veiligheid-thuis"
    PARENTING = "opvoeding-kinderen"
    SOCIAL_NETWORK = "sociaal-netwerk"
    OTHER = "anders"


class Concern(StrEnum):
    NUISANCE = "overlast"
    CRIME = "criminaliteit"
    DROP_OUT = "maatschappelijke-uitval"


class Urgency(StrEnum):
    NORMAL = "normaal"
    URGENT = "spoed"


class Informed(StrEnum):
    YES = "ja"
    NO = "nee"


class NotInformedReason(StrEnum):
    SAFETY = "zwaarwegende-veiligheidsbelangen"
    INVESTIGATION = "lopend-strafrechtelijk-onderzoek"
    UNREACHABLE = "niet-bereikbaar"
    OTHER = "anders"


# Dutch labels, shown on the form, the check step and to staff.
LABELS: dict[StrEnum, str] = {
    Relation.MAIN: "Hoofdbetrokkene",
    Relation.PARTNER: "Partner",
    Relation.CHILD: "Kind",
    Relation.PARENT: "Ouder of verzorger",
    Relation.FAMILY: "Ander gezinslid",
    Relation.OTHER: "Overig",
    LifeDomain.FINANCES: "Financiën en schulden",
    LifeDomain.HOUSING: "Huisvesting",
    LifeDomain.WORK: "Werk, opleiding en dagbesteding",
    LifeDomain.ADDICTION: "Verslaving",
    LifeDomain.MENTAL_HEALTH: "Psychische gezondheid",
    LifeDomain.PHYSICAL_HEALTH: "Lichamelijke gezondheid",
    LifeDomain.BEHAVIOUR: "Gedrag en agressie",
    LifeDomain.JUSTICE: "Politie en justitie",
    LifeDomain.DOMESTIC_SAFETY: "Veiligheid thuis of huiselijk geweld",
    LifeDomain.PARENTING: "Opvoeding en ontwikkeling van kinderen",
    LifeDomain.SOCIAL_NETWORK: "Sociaal netwerk",
    LifeDomain.OTHER: "Anders",
    Concern.NUISANCE: "Overlast",
    Concern.CRIME: "Criminaliteit",
    Concern.DROP_OUT: "Maatschappelijke uitval",
    Urgency.NORMAL: "Normaal",
    Urgency.URGENT: "Spoed",
    Informed.YES: "Ja",
    Informed.NO: "Nee",
    NotInformedReason.SAFETY: "Zwaarwegende veiligheidsbelangen",
    NotInformedReason.INVESTIGATION: "Lopend strafrechtelijk onderzoek",
    NotInformedReason.UNREACHABLE: "De betrokkene is (nog) niet bereikbaar",
    NotInformedReason.OTHER: "Anders",
}


def criteria_met(criteria: Iterable[str]) -> bool:
    """The house's rule over the criteria ticked (``vhcore.criteria``; national by default)."""
    return current_house().criteria.met(set(criteria))


def _criterion_ids(schema: dict[str, Any]) -> None:
    """The house's questions, when the schema is generated (never at import)."""
    schema["enum"] = current_house().criteria.ids


def _conditional_answers(schema: dict[str, Any]) -> None:
    """The answers that depend on each other, as the validators below enforce them; the
    criteria's rule is the house's, so the schema is made when it is generated."""
    schema["allOf"] = [
        _required_if("urgency", "spoed", "urgency_reason"),
        _required_if("informed", "nee", "not_informed_reason"),
        _required_if("not_informed_reason", "anders", "not_informed_explanation"),
        {"if": current_house().criteria.json_schema(), "else": _filled("criteria_explanation")},
    ]


class InvolvedOrganisation(_Input):
    organisation: Annotated[str, single_line(120)]
    contact_person: Annotated[str, single_line(100)] | None = None
    role: Annotated[str, single_line(200)] | None = None


class RegistrationRequest(_Input):
    """Aanmelding as posted by the form (JSON) or the plain HTML form."""

    model_config = ConfigDict(json_schema_extra=_conditional_answers)

    # 1. Aanmelder
    registrant: Registrant
    # 2. Betrokkenen
    persons: list[Person] = Field(
        min_length=1,
        max_length=8,
        description="Exactly one person is the main person (hoofdbetrokkene).",
        json_schema_extra={
            "contains": {"properties": {"relation": {"const": "hoofdbetrokkene"}}},
            "minContains": 1,
            "maxContains": 1,
        },
    )
    # 3. Situatie
    life_domains: list[LifeDomain] = Field(min_length=1, max_length=len(LifeDomain))
    description: Annotated[str, multi_line(4000, min_length=20)]
    concerns: list[Concern] = Field(default_factory=list, max_length=len(Concern))
    safety_risks: Annotated[str, multi_line(2000)] | None = None
    urgency: Urgency
    urgency_reason: Annotated[str, multi_line(500)] | None = Field(
        default=None, validate_default=True
    )
    # 4. Samenwerking
    involved_organisations: list[InvolvedOrganisation] = Field(default_factory=list, max_length=15)
    tried: Annotated[str, multi_line(4000, min_length=20)]
    question: Annotated[str, multi_line(2000, min_length=10)]
    # 5. Criteria
    criteria: list[
        Annotated[str, StringConstraints(max_length=64), Field(json_schema_extra=_criterion_ids)]
    ] = Field(
        default_factory=list,
        max_length=MAX_QUESTIONS,
        description="The ids of the house's criteria questions the registrant ticked.",
        json_schema_extra={"uniqueItems": True},
    )
    criteria_explanation: Annotated[str, multi_line(1000)] | None = Field(
        default=None, validate_default=True
    )
    # 6. Geïnformeerd
    informed: Informed
    not_informed_reason: NotInformedReason | None = Field(default=None, validate_default=True)
    not_informed_explanation: Annotated[str, multi_line(500)] | None = Field(
        default=None, validate_default=True
    )
    # 7. Verklaring
    declaration: Annotated[Literal[True], BeforeValidator(_strict_yes)] = Field(
        description="The registrant shares only what is necessary, under the covenant."
    )
    # Hidden fields
    submission_id: (
        Annotated[str, StringConstraints(max_length=64, pattern=r"^[A-Za-z0-9-]{8,64}$")] | None
    ) = Field(default=None, description="Generated by the form's script, for idempotency.")
    website: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="Honeypot: people never see or fill it; bots do."
    )

    @field_validator("persons")
    @classmethod
    def _exactly_one_main_person(cls, persons: list[Person]) -> list[Person]:
        if sum(1 for p in persons if p.relation is Relation.MAIN) != 1:
            raise PydanticCustomError(
                "vh_main_person", "Kies bij precies één betrokkene 'hoofdbetrokkene'."
            )
        return persons

    @field_validator("urgency_reason")
    @classmethod
    def _reason_for_urgency(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("urgency") is Urgency.URGENT and not value:
            raise PydanticCustomError(
                "vh_urgency_reason", "Leg uit waarom de aanmelding spoed heeft."
            )
        return value

    @field_validator("criteria")
    @classmethod
    def _known_criteria(cls, value: list[str]) -> list[str]:
        if not set(value) <= set(current_house().criteria.ids) or len(set(value)) != len(value):
            raise PydanticCustomError(
                "vh_criterion", "Kies alleen criteria uit de lijst, elk hoogstens één keer."
            )
        return value

    @field_validator("criteria_explanation")
    @classmethod
    def _explain_exception(cls, value: str | None, info: ValidationInfo) -> str | None:
        if "criteria" in info.data and not value:
            unmet = current_house().criteria.unmet(set(info.data["criteria"]))
            if unmet:
                raise PydanticCustomError("vh_criteria_explanation", f"{unmet} {EXPLAIN}")
        return value

    @field_validator("not_informed_reason")
    @classmethod
    def _reason_not_informed(
        cls, value: NotInformedReason | None, info: ValidationInfo
    ) -> NotInformedReason | None:
        if info.data.get("informed") is Informed.NO and value is None:
            raise PydanticCustomError(
                "vh_not_informed_reason", "Kies waarom de betrokkene niet is geïnformeerd."
            )
        return value

    @field_validator("not_informed_explanation")
    @classmethod
    def _explain_not_informed(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("not_informed_reason") is NotInformedReason.OTHER and not value:
            raise PydanticCustomError(
                "vh_not_informed_explanation",
                "Leg uit waarom de betrokkene niet is geïnformeerd.",
            )
        return value

    @property
    def criteria_met(self) -> bool:
        return criteria_met(self.criteria)

    @property
    def is_urgent(self) -> bool:
        return self.urgency is Urgency.URGENT


class RegistrationAccepted(BaseModel):
    """What the API answers when a registration is received."""

    reference: Annotated[str, Field(max_length=20, description="Kenmerk, e.g. VH-7K3M-Q9TX")]
    received_at: Timestamp
    respond_by: Timestamp = Field(
        description="The end (17:00 Europe/Amsterdam) of the working day by which the house "
        "promises to respond; show its date in Amsterdam, never the time."
    )
    triage_date: Day | None = Field(
        default=None, description="The triage meeting; null when it is planned by hand."
    )
    receipt: bool = Field(
        default=False,
        description="Whether a receipt is e-mailed: only to an address of the organisation chosen.",
    )
