"""What staff type (notes, advice, the purpose of a read): trimmed before its length counts,
no control or format characters, a note keeps its line breaks; Dutch messages."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from admin.admin_handler import DecisionBody, Note, ScheduleBody
from vhcore.messages import dutch_errors

DECISION = {"outcome": "voor-veiligheidshuis", "advice": "Casusoverleg.", "process_director": "P."}


def messages(model: type[BaseModel], body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return {p.field: p.message for p in dutch_errors(caught.value.errors())}


@pytest.mark.parametrize("reason", ["      ", " \t\n ", "  a  ", "\u3000ab\u3000"])
def test_a_note_is_trimmed_before_its_length_counts(reason: str) -> None:
    assert messages(Note, {"reason": reason}) == {
        "reason": "Schrijf voor de toelichting minstens 3 tekens."
    }
    assert "reason" in messages(ScheduleBody, {"reason": reason, "triage_date": "2026-12-03"})


def test_a_note_is_stored_trimmed_and_keeps_its_line_breaks() -> None:
    note = Note.model_validate({"reason": "  Gebeld.\r\nTerugbellen\tmorgen.  "})
    assert note.reason == "Gebeld.\r\nTerugbellen\tmorgen."


@pytest.mark.parametrize("text", ["Gebeld\u202e", "Ge\x00beld", "\u200b\u200b\u200b", "Ge\x1bbeld"])
def test_a_note_or_advice_with_control_or_format_characters_is_refused(text: str) -> None:
    assert messages(Note, {"reason": text})["reason"].startswith(
        "Gebruik voor de toelichting alleen letters"
    )
    assert messages(DecisionBody, DECISION | {"advice": text})["advice"].startswith(
        "Gebruik voor het advies alleen letters"
    )


def test_advice_and_the_process_director_are_trimmed_too() -> None:
    found = messages(DecisionBody, DECISION | {"advice": "      ", "process_director": "  P  "})
    assert found == {
        "advice": "Schrijf voor het advies minstens 3 tekens.",
        "process_director": "Schrijf voor de naam van de procesregisseur minstens 2 tekens.",
    }
    name = DecisionBody.model_validate(DECISION | {"process_director": " P. Regisseur "})
    assert name.process_director == "P. Regisseur"


def test_the_process_director_is_one_line() -> None:
    found = messages(DecisionBody, DECISION | {"process_director": "P.\nRegisseur"})
    assert found["process_director"].startswith("Gebruik voor de naam van de procesregisseur")


def test_a_parameter_is_labelled_by_its_name() -> None:
    [problem] = dutch_errors(
        [{"type": "string_too_short", "loc": ("query", "purpose"), "ctx": {"min_length": 5}}]
    )
    assert (problem.field, problem.message) == (
        "query.purpose",
        "Schrijf voor het doel minstens 5 tekens.",
    )
