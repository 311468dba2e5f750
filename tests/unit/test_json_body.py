"""Reading a request's JSON (``vhcore.http.read_json``), as every API function does."""

from __future__ import annotations

import pytest

from vhcore.http import MAX_JSON_DEPTH, UnreadableJson, read_json
from vhcore.messages import dutch_errors


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 1}',
        '{"a": {"b": 1, "c": 2, "b": 3}}',
        '[{"x": [{"y": 1, "y": 1}]}]',
        '{"a": 1, "\\u0061": 2}',  # the same key, escaped
    ],
)
def test_a_key_given_twice_at_any_depth_is_refused(text: str) -> None:
    with pytest.raises(UnreadableJson) as caught:
        read_json(text)
    assert caught.value.kind == "json_duplicate_key"


def test_the_same_key_in_different_objects_is_fine() -> None:
    assert read_json('[{"a": 1}, {"a": 2}, {"b": {"a": 3}}]') == [
        {"a": 1},
        {"a": 2},
        {"b": {"a": 3}},
    ]


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1_000, 100_000])
def test_nesting_deeper_than_the_limit_is_refused(depth: int) -> None:
    with pytest.raises(UnreadableJson) as caught:
        read_json("[" * depth + "]" * depth)
    assert caught.value.kind == "json_too_deep"


def test_nesting_up_to_the_limit_is_read() -> None:
    text = '{"a": ' * (MAX_JSON_DEPTH - 1) + "[]" + "}" * (MAX_JSON_DEPTH - 1)
    read_json(text)


@pytest.mark.parametrize("text", ["{", "nee", '{"a": 1,}', "[1] [2]"])
def test_text_that_is_no_json_is_refused(text: str) -> None:
    with pytest.raises(UnreadableJson) as caught:
        read_json(text)
    assert caught.value.kind == "json_invalid"


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("json_duplicate_key", "Een veld staat twee keer in de gegevens. Stuur elk veld één keer."),
        ("json_too_deep", "Het formulier kon niet worden gelezen. Probeer het opnieuw."),
        ("json_invalid", "Het formulier kon niet worden gelezen. Probeer het opnieuw."),
    ],
)
def test_each_kind_has_a_dutch_message(kind: str, message: str) -> None:
    [problem] = dutch_errors([{"type": kind, "loc": ("body",)}])
    assert (problem.field, problem.message) == ("body", message)
