"""Validation problems in plain Dutch, one per field, without echoing what was typed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field

# The one example of a date, in the form's hints and in every date error (dag-maand-jaar).
DATE_EXAMPLE = "15-03-1984"

# Dutch names of fields, as the form labels them.
LABELS: dict[str, str] = {
    "registrant": "de gegevens van de aanmelder",
    "registrant.organisation": "uw organisatie",
    "registrant.organisation_name": "de naam van uw organisatie",
    "registrant.name": "uw naam",
    "registrant.role": "uw functie",
    "registrant.email": "uw e-mailadres op het werk",
    "registrant.phone": "uw telefoonnummer",
    "registrant.availability": "uw bereikbaarheid",
    "persons": "de betrokkenen",
    "persons.relation": "de relatie",
    "persons.first_name": "de voornaam",
    "persons.last_name": "de achternaam",
    "persons.date_of_birth": "de geboortedatum",
    "persons.residence": "de woonplaats",
    "persons.address": "het adres",
    "life_domains": "de leefgebieden",
    "description": "de beschrijving van de problemen",
    "concerns": "overlast, criminaliteit of maatschappelijke uitval",
    "safety_risks": "de veiligheidsrisico's",
    "urgency": "de urgentie",
    "urgency_reason": "de reden voor spoed",
    "involved_organisations": "de betrokken organisaties",
    "involved_organisations.organisation": "de naam van de organisatie",
    "involved_organisations.contact_person": "de contactpersoon",
    "involved_organisations.role": "de rol in de casus",
    "tried": "wat er al is geprobeerd",
    "question": "uw hulpvraag",
    "criteria": "de criteria",
    "criteria_explanation": "de toelichting op de criteria",
    "informed": "of de betrokkene is geïnformeerd",
    "not_informed_reason": "de reden",
    "not_informed_explanation": "de toelichting",
    "declaration": "de verklaring",
    "submission_id": "het kenmerk van de verzending",
    "website": "dit veld",
    # The staff API's fields
    "reason": "de toelichting",
    "advice": "het advies",
    "process_director": "de naam van de procesregisseur",
    "triage_date": "de datum van de triage",
    "outcome": "de uitkomst",
    "purpose": "het doel",
    "goal": "het doel van het plan",
    "case_director": "de naam van de casusregisseur",
    "actions": "de acties",
    "actions.text": "wat er moet gebeuren",
    "actions.owner": "wie het doet",
    "actions.due": "de datum",
}

# For choices, "fill in" reads wrong: say what to choose.
CHOOSE: dict[str, str] = {
    "registrant.organisation": "Kies uw organisatie.",
    "persons.relation": "Kies de relatie van betrokkene {n}.",
    "life_domains": "Kies minstens één leefgebied.",
    "urgency": "Kies of de aanmelding spoed heeft.",
    "informed": "Kies of de betrokkene is geïnformeerd over de aanmelding.",
    "not_informed_reason": "Kies waarom de betrokkene niet is geïnformeerd.",
    "outcome": "Kies een uitkomst.",
    "declaration": (
        "Vink de verklaring aan. Zonder verklaring kunnen wij de aanmelding niet aannemen."
    ),
}

_ITEM_NAMES = {
    "persons": "betrokkene",
    "involved_organisations": "organisatie",
    "actions": "actie",
}


MAX_FIELD_LENGTH = 200
MAX_ERRORS = 200  # as many as ``Problem.errors`` holds


class FieldError(BaseModel):
    field: str = Field(
        max_length=MAX_FIELD_LENGTH, description="Path of the field, e.g. persons.0.last_name"
    )
    code: str = Field(max_length=64, description="Kind of problem, e.g. string_too_short")
    message: str = Field(max_length=500, description="What to do, in plain Dutch")


def _path(loc: Sequence[str | int]) -> tuple[str, str, int | None]:
    """('body', 'persons', 0, 'first_name') -> ('persons.0.first_name', 'persons.first_name', 0);
    ('query', 'purpose') -> ('query.purpose', 'purpose', None): a parameter is named by where
    it was sent, and labelled by its name."""
    parts = list(loc[1:] if loc and loc[0] == "body" else loc)
    field = ".".join(str(p) for p in parts)
    named = parts[1:] if len(parts) > 1 and parts[0] in {"query", "path"} else parts
    generic = ".".join(str(p) for p in named if not isinstance(p, int))
    index = next((p for p in parts if isinstance(p, int)), None)
    return field, generic, index


def _label(generic: str, index: int | None) -> str:
    label = LABELS.get(generic)
    if label is None:
        return "dit veld"
    head = generic.split(".", 1)[0]
    if index is not None and head in _ITEM_NAMES and "." in generic:
        return f"{label} van {_ITEM_NAMES[head]} {index + 1}"
    return label


def message_for(
    kind: str, generic: str, label: str, ctx: Mapping[str, Any], *, own: str, index: int | None
) -> str:
    choose = CHOOSE.get(generic)
    if choose and kind in {
        "missing",
        "enum",
        "literal_error",
        "bool_type",
        "too_short",
        "string_too_short",
    }:
        return choose.format(n=(index or 0) + 1)
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return f"Vul {label} in."
    match kind:
        case "string_too_short":
            return f"Schrijf voor {label} minstens {ctx.get('min_length')} tekens."
        case "string_too_long":
            return f"Gebruik voor {label} hoogstens {ctx.get('max_length')} tekens."
        case "too_short":
            return f"Vul bij {label} minstens {ctx.get('min_length')} in."
        case "too_long":
            return f"Vul bij {label} hoogstens {ctx.get('max_length')} in."
        case "value_error" if generic.endswith("email"):
            return "Vul een geldig e-mailadres in, zoals naam@organisatie.nl."
        case "enum" | "literal_error":
            return f"Kies een van de mogelijkheden bij {label}."
        case "date_parsing" | "date_from_datetime_parsing" | "date_type":
            return f"Vul {label} in als dag-maand-jaar, zoals {DATE_EXAMPLE}."
        case "string_characters":
            return (
                f"Gebruik voor {label} alleen letters, cijfers, spaties en leestekens. "
                "Typ de tekst opnieuw als u hem hebt geplakt."
            )
        case "extra_forbidden":
            return "Dit veld hoort niet bij het formulier."
        case "json_duplicate_key":
            return "Een veld staat twee keer in de gegevens. Stuur elk veld één keer."
        case (
            "json_invalid" | "json_too_deep" | "model_attributes_type" | "dict_type" | "model_type"
        ):
            return "Het formulier kon niet worden gelezen. Probeer het opnieuw."
        case "string_pattern_mismatch" | "string_type":
            return f"Controleer {label}."
        case _ if kind.startswith("vh_"):
            return own
        case _:
            return f"Controleer {label}."


def dutch_errors(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """Translate pydantic error dicts. Only ``loc``, ``type``, ``ctx`` and, for our own
    (``vh_``) errors, ``msg`` are read: never ``input``, which holds what the user typed.
    A field the form does not have is named as sent (so the sender can find it), cut to
    ``MAX_FIELD_LENGTH``; at most ``MAX_ERRORS`` problems are listed."""
    result: list[FieldError] = []
    seen: set[str] = set()
    for error in errors:
        if len(result) == MAX_ERRORS:
            break
        kind = str(error.get("type", "value_error"))
        field, generic, index = _path(tuple(error.get("loc", ())))
        field = field[:MAX_FIELD_LENGTH]
        if field in seen:
            continue
        seen.add(field)
        ctx = error.get("ctx") or {}
        own = str(error.get("msg", "")) if kind.startswith("vh_") else ""
        result.append(
            FieldError(
                field=field or "body",
                code=kind,
                message=message_for(
                    kind, generic, _label(generic, index), ctx, own=own, index=index
                ),
            )
        )
    return result
