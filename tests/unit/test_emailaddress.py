"""The registrant's e-mail address: a syntax check of our own (no email_validator), with the
same error code as pydantic's EmailStr, so the Dutch message stays the same."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from tests.factories import registration
from vhcore.emailaddress import NOT_SPECIAL_USE, SPECIAL_USE, EmailAddress, normalise_email
from vhcore.messages import dutch_errors
from vhcore.registration import RegistrationRequest

ADDRESS: TypeAdapter[str] = TypeAdapter(EmailAddress)
DUTCH = "Vul een geldig e-mailadres in, zoals naam@organisatie.nl."


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("naam@zorg.nl", "naam@zorg.nl"),
        ("Jan.de.Vries@Politie.NL", "Jan.de.Vries@politie.nl"),  # only the domain lower-cased
        ("info@xn--bcher-kva.nl", "info@xn--bcher-kva.nl"),  # IDN in ASCII, kept as written
        ("info@Bücher.nl", "info@bücher.nl"),  # IDN in Unicode
        ("jörg@zorg.nl", "jörg@zorg.nl"),  # RFC 6531: non-ASCII before the @
        ("o'brien+aanmelding@gemeente.example.org", "o'brien+aanmelding@gemeente.example.org"),
        ("a@b.co", "a@b.co"),
        ("x" * 64 + "@zorg.nl", "x" * 64 + "@zorg.nl"),  # 64 before the @: the limit
        ("a@" + "b" * 63 + ".nl", "a@" + "b" * 63 + ".nl"),  # a label of 63: the limit
    ],
)
def test_a_valid_address_is_kept_with_its_domain_in_lower_case(typed: str, kept: str) -> None:
    assert ADDRESS.validate_python(typed) == kept


LONGEST = "a" * 64 + "@" + ".".join(["b" * 61, "b" * 61, "b" * 62]) + ".nl"  # 64 + 1 + 189


def test_254_characters_in_all_is_the_limit() -> None:
    assert len(LONGEST) == 254
    assert normalise_email(LONGEST) == LONGEST
    with pytest.raises(ValidationError):
        ADDRESS.validate_python("a" + LONGEST)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "geen-adres",
        "naam@",
        "@zorg.nl",
        "naam@@zorg.nl",
        "naam@zorg@nl.nl",
        "naam@zorg",  # no dot in the domain
        "na am@zorg.nl",
        "naam@zo rg.nl",
        "naam\t@zorg.nl",
        "naam\x00@zorg.nl",
        "naam\u200b@zorg.nl",  # an invisible (format) character
        ".naam@zorg.nl",
        "naam.@zorg.nl",
        "na..am@zorg.nl",
        "naam@zorg..nl",
        "naam@.zorg.nl",
        "naam@zorg.nl.",
        "naam@-zorg.nl",
        "naam@zorg-.nl",
        "naam@zo_rg.nl",
        "naam@zorg.n1",  # the top-level domain is letters
        "naam@10.0.0.1",
        "naam@[10.0.0.1]",
        '"na am"@zorg.nl',  # quoted local parts are refused, as EmailStr refused them
        "Jan <jan@zorg.nl>",
        "naam@zorg.local",  # special-use names never receive mail
        "naam@zorg.test",
        "naam@localhost",
        "naam@xn--.nl",
        "x" * 65 + "@zorg.nl",  # over 64 before the @
        "a@" + "b" * 64 + ".nl",  # a label over 63
        "a@" + "b" * 300 + ".nl",
    ],
)
def test_an_invalid_address_is_refused_with_pydantics_value_error(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ADDRESS.validate_python(typed)
    (error,) = caught.value.errors(include_input=False)
    assert error["type"] == "value_error"
    assert error["msg"].startswith("value is not a valid email address")


def test_the_reason_never_repeats_what_was_typed() -> None:
    with pytest.raises(ValidationError) as caught:
        ADDRESS.validate_python("Quirijntje Vandertestenborgh@zorg.nl")
    assert "Quirijntje" not in str(caught.value.errors(include_input=False))


def test_the_registration_says_in_dutch_that_the_address_is_not_valid() -> None:
    body = registration()
    body["registrant"]["email"] = "naam@zorg"
    with pytest.raises(ValidationError) as caught:
        RegistrationRequest.model_validate(body)
    errors = [{**e, "loc": ("body", *e["loc"])} for e in caught.value.errors()]
    found = {p.field: (p.code, p.message) for p in dutch_errors(errors)}
    assert found == {"registrant.email": ("value_error", DUTCH)}


def test_surrounding_spaces_are_trimmed_in_a_model_that_trims() -> None:
    class Trimmed(BaseModel):
        model_config = ConfigDict(str_strip_whitespace=True)
        email: EmailAddress

    assert Trimmed(email="  naam@Zorg.nl \n").email == "naam@zorg.nl"


def test_the_api_document_still_says_format_email_with_the_length_limit() -> None:
    schema = RegistrationRequest.model_json_schema()["$defs"]["Registrant"]["properties"]
    assert schema["email"] == {
        "format": "email",
        "maxLength": 254,
        "pattern": NOT_SPECIAL_USE,
        "title": "Email",
        "type": "string",
    }


@pytest.mark.parametrize("address", ["a@b.nl", "a@test.nl", "a@b.onions", "a@b.TESTS"])
def test_the_document_s_pattern_lets_other_domains_through(address: str) -> None:
    assert re.search(NOT_SPECIAL_USE, address)
    assert normalise_email(address)


@pytest.mark.parametrize("top", sorted(SPECIAL_USE))
def test_the_document_s_pattern_refuses_special_use_names_in_any_case(top: str) -> None:
    for address in (f"a@b.{top}", f"a@b.{top.upper()}", f"a@b.{top.title()}"):
        assert not re.search(NOT_SPECIAL_USE, address)
        with pytest.raises(PydanticCustomError):
            normalise_email(address)
