"""Plain form posts decode into the JSON structure, so one model validates both."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from pydantic import ValidationError

from tests.factories import form_fields, registration
from vhcore.formpost import decode_form
from vhcore.registration import RegistrationRequest


def test_nested_fields_lists_and_multiple_choices_are_decoded() -> None:
    body = urlencode(
        [
            ("registrant.name", " Jan "),
            ("registrant.availability", ""),
            ("persons.0.first_name", "A"),
            ("persons.3.first_name", "B"),
            ("life_domains", "huisvesting"),
            ("life_domains", "verslaving"),
            ("criteria", "meerdere-ketens"),
            ("involved_organisations.1.organisation", "GGZ"),
            ("declaration", "ja"),
        ]
    )
    data = decode_form(body)
    assert data["registrant"] == {"name": " Jan "}  # the model strips it
    assert data["persons"] == [{"first_name": "A"}, {"first_name": "B"}]
    assert data["life_domains"] == ["huisvesting", "verslaving"]
    assert data["criteria"] == ["meerdere-ketens"]
    assert data["involved_organisations"] == [{"organisation": "GGZ"}]
    assert data["declaration"] is True


def test_a_single_choice_stays_a_list_and_empty_fields_are_left_out() -> None:
    data = decode_form("life_domains=huisvesting&description=&urgency=normaal")
    assert data == {"life_domains": ["huisvesting"], "urgency": "normaal"}


def test_malformed_names_are_ignored() -> None:
    assert decode_form("a..b=1&.x=2&persons.=3") == {}


@pytest.mark.parametrize("ticked", ["ja", "on", "true", "1", "JA"])
def test_a_ticked_box_is_decoded_as_true_which_the_strict_model_takes(ticked: str) -> None:
    fields = [(k, ticked if k == "declaration" else v) for k, v in form_fields(registration())]
    data = decode_form(urlencode(fields))
    assert data["declaration"] is True
    assert RegistrationRequest.model_validate(data).declaration is True


@pytest.mark.parametrize("value", [1, 1.0, "true", "1", "ja", "on"])
def test_the_model_takes_only_true_for_the_declaration(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        RegistrationRequest.model_validate(registration(declaration=value))
    assert [e["type"] for e in caught.value.errors()] == ["bool_type"]


def test_a_control_character_in_a_form_post_reaches_the_model() -> None:
    fields = [
        (k, "Jan\x1c" if k == "registrant.name" else v) for k, v in form_fields(registration())
    ]
    with pytest.raises(ValidationError) as caught:
        RegistrationRequest.model_validate(decode_form(urlencode(fields)))
    assert [e["type"] for e in caught.value.errors()] == ["string_characters"]
