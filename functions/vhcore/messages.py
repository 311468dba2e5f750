"""Validation problems in plain Dutch, one per field, without echoing what was typed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

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
    "description": "de beschrijving van de problemen",
    "submission_id": "het kenmerk van de verzending",
}


# Errors raised by a model-level check belong to one field of that model.
_FIELD_OF_CODE = {
    "vh_main_person": "persons",
    "vh_organisation": "organisation",
    "vh_organisation_name": "organisation_name",
}


class FieldError(BaseModel):
    field: str
    code: str
    message: str


def _path(loc: Sequence[str | int]) -> tuple[str, str, int | None]:
    """('body', 'persons', 0, 'first_name') -> ('persons.0.first_name', 'persons.first_name', 0)."""
    parts = list(loc[1:] if loc and loc[0] == "body" else loc)
    field = ".".join(str(p) for p in parts)
    generic = ".".join(str(p) for p in parts if not isinstance(p, int))
    index = next((p for p in parts if isinstance(p, int)), None)
    return field, generic, index


def _label(generic: str, index: int | None) -> str:
    label = LABELS.get(generic)
    if label is None:
        return "dit veld"
    if index is not None and generic.startswith("persons."):
        return f"{label} van betrokkene {index + 1}"
    return label


def _message(kind: str, generic: str, label: str, ctx: Mapping[str, Any], own: str) -> str:
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
            return f"Vul {label} in als dag-maand-jaar, zoals 31-12-1980."
        case "extra_forbidden":
            return "Dit veld hoort niet bij het formulier."
        case "json_invalid" | "model_attributes_type" | "dict_type" | "model_type":
            return "Het formulier kon niet worden gelezen. Probeer het opnieuw."
        case "string_pattern_mismatch" | "string_type":
            return f"Controleer {label}."
        case _ if kind.startswith("vh_"):
            return own
        case _:
            return f"Controleer {label}."


def dutch_errors(errors: Iterable[Mapping[str, Any]]) -> list[FieldError]:
    """Translate pydantic error dicts. Only ``loc``, ``type``, ``ctx`` and, for our own
    (``vh_``) errors, ``msg`` are read: never ``input``, which holds what the user typed."""
    result: list[FieldError] = []
    seen: set[str] = set()
    for error in errors:
        kind = str(error.get("type", "value_error"))
        loc = tuple(error.get("loc", ()))
        if kind in _FIELD_OF_CODE:
            loc = (*loc, _FIELD_OF_CODE[kind])
        field, generic, index = _path(loc)
        if field in seen:
            continue
        seen.add(field)
        ctx = error.get("ctx") or {}
        own = str(error.get("msg", "")) if kind.startswith("vh_") else ""
        result.append(
            FieldError(
                field=field or "body",
                code=kind,
                message=_message(kind, generic, _label(generic, index), ctx, own),
            )
        )
    return result
