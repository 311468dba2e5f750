"""The registration model: limits of docs/form.md, Dutch messages, no echo of the input."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import StringConstraints, TypeAdapter, ValidationError

from tests.factories import PERSONAL_VALUES, registration
from vhcore.http import Problem
from vhcore.messages import DATE_EXAMPLE, dutch_errors
from vhcore.registration import (
    CONTROL,
    CONTROL_IN_TEXT,
    PHONE_PATTERN,
    WHITESPACE,
    RegistrationRequest,
)


def problems(body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        RegistrationRequest.model_validate(body)
    return {
        p.field: p.message
        for p in dutch_errors([{**e, "loc": ("body", *e["loc"])} for e in caught.value.errors()])
    }


def test_a_complete_minimal_registration_is_valid() -> None:
    request = RegistrationRequest.model_validate(registration())
    assert request.persons[0].last_name == PERSONAL_VALUES["last_name"]


def test_missing_fields_are_named_in_dutch() -> None:
    body = registration()
    del body["registrant"]["name"]
    body["persons"][0]["residence"] = "   "
    found = problems(body)
    assert found["registrant.name"] == "Vul uw naam in."
    assert found["persons.0.residence"] == "Vul de woonplaats van betrokkene 1 in."


def test_limits_are_explained_with_the_number() -> None:
    found = problems(registration(description="te kort"))
    assert found["description"] == (
        "Schrijf voor de beschrijving van de problemen minstens 20 tekens."
    )
    found = problems(registration(description="x" * 4001))
    assert "hoogstens 4000 tekens" in found["description"]


@pytest.mark.parametrize(
    "phone", ["06 12345678", "+31 6 1234 5678", "010-1234567", "0031201234567"]
)
def test_dutch_phone_numbers_are_accepted(phone: str) -> None:
    body = registration()
    body["registrant"]["phone"] = phone
    RegistrationRequest.model_validate(body)


@pytest.mark.parametrize("phone", ["12345", "+44 20 7946 0958", "06-1234567"])
def test_other_phone_numbers_are_refused_with_an_example(phone: str) -> None:
    body = registration()
    body["registrant"]["phone"] = phone
    assert "zoals 06 12345678" in problems(body)["registrant.phone"]


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("1899-12-31", "niet voor 1900"),
        ("2999-01-01", "in het verleden"),
        ("31-12-1980", "dag-maand-jaar"),
    ],
)
def test_birth_dates_must_be_real_past_dates(date: str, expected: str) -> None:
    body = registration()
    body["persons"][0]["date_of_birth"] = date
    assert expected in problems(body)["persons.0.date_of_birth"]


def test_exactly_one_main_person_is_required() -> None:
    body = registration()
    body["persons"].append(dict(body["persons"][0]))
    assert "precies één" in problems(body)["persons"]


def test_an_unknown_organisation_is_refused_and_other_needs_a_name() -> None:
    body = registration()
    body["registrant"]["organisation"] = "bestaat-niet"
    assert "uit de lijst" in problems(body)["registrant.organisation"]
    body["registrant"]["organisation"] = "anders"
    assert problems(body)["registrant.organisation_name"] == "Vul de naam van uw organisatie in."


def test_unknown_fields_are_refused() -> None:
    found = problems(registration(bsn="123456782"))
    assert found["bsn"] == "Dit veld hoort niet bij het formulier."


def test_more_than_eight_persons_are_refused() -> None:
    body = registration()
    body["persons"] = body["persons"] * 9
    assert "hoogstens 8" in problems(body)["persons"]


def test_messages_never_contain_what_was_typed() -> None:
    body = registration()
    body["registrant"]["email"] = "Quirijntje-geen-adres"
    body["registrant"]["phone"] = "Vandertestenborgh"
    found = problems(body)
    for message in found.values():
        assert "Quirijntje" not in message and "Vandertestenborgh" not in message


# The OpenAPI document states the rules the validators enforce, so that data valid by the
# document is accepted (the fuzz tests check that end to end); here each pattern is held
# against its validator directly.


def matches(pattern: str, text: str) -> bool:
    """Whether ``text`` matches a pattern of the document as ECMA-262 reads it: its ``$``
    is the end of the text, where Python's also matches before a final line break."""
    return bool(re.search(re.sub(r"\$$", r"\\Z", pattern), text))


def test_the_whitespace_class_is_what_pydantic_strips() -> None:
    strip: TypeAdapter[str] = TypeAdapter(Annotated[str, StringConstraints(strip_whitespace=True)])
    candidates = [
        c
        for c in map(chr, range(0x3001))
        if c.isspace() or unicodedata.category(c)[0] in {"Z", "C"}
    ]
    stripped = {c for c in candidates if not (0xD800 <= ord(c) <= 0xDFFF)}
    stripped = {c for c in stripped if strip.validate_python(f"{c}a{c}") == "a"}
    in_class = {c for c in candidates if re.fullmatch(f"[{WHITESPACE}]", c)}
    assert in_class == stripped


PHONE_ALPHABET = "0123456789+().- \t\n\u00a0\u2009\x1c"


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.text(alphabet=PHONE_ALPHABET, max_size=20) | st.from_regex(PHONE_PATTERN))
def test_a_phone_number_matches_the_documented_pattern_exactly_when_it_is_accepted(
    phone: str,
) -> None:
    body = registration()
    body["registrant"]["phone"] = phone
    try:
        RegistrationRequest.model_validate(body)
        accepted = True
    except ValidationError:
        accepted = False
    documented = matches(PHONE_PATTERN, phone) and len(phone) <= 20
    assert accepted == documented, repr(phone)


TEXT_ALPHABET = "ab \t\n\r\u3000\x85\x1c\x00\x1b\x07\u200b\u200d\u202e\ufeff\U000e0041"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from(TEXT_ALPHABET), max_size=30))
def test_a_text_matches_the_documented_pattern_exactly_when_it_is_accepted(
    text: str,
) -> None:
    schema = RegistrationRequest.model_json_schema()["properties"]["question"]
    body = registration(question=text)
    try:
        RegistrationRequest.model_validate(body)
        accepted = True
    except ValidationError:
        accepted = False
    documented = matches(schema["pattern"], text)
    assert accepted == documented, repr(text)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from(TEXT_ALPHABET), max_size=12))
def test_a_name_matches_the_documented_pattern_exactly_when_it_is_accepted(name: str) -> None:
    schema = RegistrationRequest.model_json_schema()["$defs"]["Person"]["properties"]
    body = registration()
    body["persons"][0]["first_name"] = name
    try:
        RegistrationRequest.model_validate(body)
        accepted = True
    except ValidationError:
        accepted = False
    documented = matches(schema["first_name"]["pattern"], name)
    assert accepted == documented, repr(name)


def _characters(pattern: str) -> set[str]:
    return {c for c in map(chr, range(0x110000)) if re.fullmatch(f"[{pattern}]", c)}


def test_the_control_classes_are_unicode_s_control_and_format_characters() -> None:
    refused = {c for c in map(chr, range(0x110000)) if unicodedata.category(c) in {"Cc", "Cf"}}
    assert _characters(CONTROL) == refused
    assert _characters(CONTROL_IN_TEXT) == refused - {"\t", "\n", "\r"}


INVISIBLE = {
    "NUL": "Jan\x00",
    "ESC": "\x1b[31mJan",
    "BEL": "Jan\x07",
    "right-to-left override": "Jan\u202enesnaJ",
    "zero-width space": "Jan\u200b",
    "zero-width joiner": "J\u200dan",
    "byte order mark": "\ufeffJan",
    "only zero-width characters": "\u200b\u200d\ufeff\u2060",
    "tab": "Jan\tJansen",
    "line break": "Jan\nJansen",
    "line break at the end": "Jan\n",
}


@pytest.mark.parametrize("value", INVISIBLE.values(), ids=INVISIBLE.keys())
@pytest.mark.parametrize(
    ("path", "message"),
    [
        (("persons", 0, "first_name"), "de voornaam van betrokkene 1"),
        (("persons", 0, "residence"), "de woonplaats van betrokkene 1"),
        (("registrant", "name"), "uw naam"),
        (("registrant", "role"), "uw functie"),
        (("registrant", "phone"), "uw telefoonnummer"),
        (("registrant", "organisation"), "uw organisatie"),
    ],
)
def test_control_and_format_characters_are_refused_in_single_line_fields(
    value: str, path: tuple[str | int, ...], message: str
) -> None:
    body = registration()
    node: Any = body
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value if path[-1] != "phone" else ("0612345678" + value)[:20]
    field = ".".join(str(p) for p in path)
    assert problems(body)[field] == (
        f"Gebruik voor {message} alleen letters, cijfers, spaties en leestekens. "
        "Typ de tekst opnieuw als u hem hebt geplakt."
    )


def test_a_text_of_several_lines_keeps_its_line_breaks_and_tabs() -> None:
    text = "Eerste regel met genoeg tekst.\r\nTweede regel\n\tingesprongen."
    request = RegistrationRequest.model_validate(registration(description=text))
    assert request.description == text


@pytest.mark.parametrize(
    "value", ["\x00", "\x1b", "\x0b", "\x0c", "\x85", "\u202e", "\u200b", "\ufeff"]
)
def test_other_control_and_format_characters_are_refused_in_texts(value: str) -> None:
    found = problems(registration(description=f"Een beschrijving van de {value}problemen."))
    assert found["description"].startswith("Gebruik voor de beschrijving van de problemen alleen")


def test_the_document_states_the_answers_that_depend_on_each_other() -> None:
    schema = RegistrationRequest.model_json_schema()
    conditions = {
        next(iter(rule["if"]["properties"])): rule.get("then", rule.get("else"))["required"]
        for rule in schema["allOf"]
    }
    assert conditions == {
        "urgency": ["urgency_reason"],
        "informed": ["not_informed_reason"],
        "not_informed_reason": ["not_informed_explanation"],
        "criteria": ["criteria_explanation"],
    }
    persons = schema["properties"]["persons"]
    assert (persons["minContains"], persons["maxContains"]) == (1, 1)
    registrant = schema["$defs"]["Registrant"]
    organisations = registrant["properties"]["organisation"]["enum"]
    assert organisations[-1] == "anders" and "politie" in organisations
    birth = schema["$defs"]["Person"]["properties"]["date_of_birth"]
    assert re.search(birth["pattern"], "1900-01-01") and not re.search(
        birth["pattern"], "1899-12-31"
    )


def test_unknown_fields_however_long_or_many_are_reported_within_the_answer_s_limits() -> None:
    """A body with a 300-character key, or 300 unknown keys, is a 422 like any other: the
    problems fit ``Problem`` (field names cut to 200 characters, at most 200 problems)."""
    long_key = [{"type": "extra_forbidden", "loc": ("body", "x" * 300)}]
    many = [{"type": "extra_forbidden", "loc": ("body", f"veld{i}")} for i in range(300)]
    for errors in (long_key, many):
        problems = dutch_errors(errors)
        answer = Problem(message="Niet alle gegevens zijn goed ingevuld.", errors=problems)
        assert all(len(p.field) <= 200 for p in answer.errors)
        assert 1 <= len(answer.errors) <= 200


def test_a_date_error_gives_the_same_example_as_the_forms_hint() -> None:
    body = registration()
    body["persons"][0]["date_of_birth"] = "31-12-1980"
    assert f"zoals {DATE_EXAMPLE}." in problems(body)["persons.0.date_of_birth"]
