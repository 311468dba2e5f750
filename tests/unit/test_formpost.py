"""Plain form posts decode into the JSON structure, so one model validates both."""

from __future__ import annotations

from urllib.parse import urlencode

from vhcore.formpost import decode_form


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
    assert data["registrant"] == {"name": "Jan"}
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
