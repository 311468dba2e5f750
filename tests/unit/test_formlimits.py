"""The form's limits come from the API's models, so the two cannot disagree."""

from __future__ import annotations

from vhcore.formlimits import field_limits, html_attributes


def test_limits_of_fields_lists_and_list_items_are_read_from_the_models() -> None:
    limits = field_limits()
    assert limits["registrant.name"]["maxLength"] == 100
    assert limits["registrant.email"]["maxLength"] == 254
    assert limits["registrant.availability"]["maxLength"] == 200
    assert limits["persons"] == {"minItems": 1, "maxItems": 8}
    assert limits["persons.*.first_name"]["maxLength"] == 100
    assert limits["persons.*.address"]["maxLength"] == 200
    assert limits["description"] == {"minLength": 20, "maxLength": 4000}


def test_html_attributes_carry_the_limits() -> None:
    assert html_attributes("description") == ' maxlength="4000" minlength="20"'
    assert html_attributes("registrant.phone") == ' maxlength="20"'
    assert html_attributes("persons.*.date_of_birth") == ""
