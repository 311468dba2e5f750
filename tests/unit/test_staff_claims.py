"""Who calls the staff API, from the claims of the authorizer: ID tokens only, identified by
``sub``, shown with the e-mail only when it is verified."""

from __future__ import annotations

from typing import Any

import pytest

from vhcore.model import Actor
from vhcore.staff import ALL_STAFF, Forbidden, Group, from_claims

SUB = "3f6c2a1e-0b7d-4c8e-9a51-6d2f8e4b7c90"
EMAIL = "t.medewerker@vh.example.org"
NOT_CONFIRMED = "(e-mailadres niet bevestigd)"


def id_token(**changes: Any) -> dict[str, Any]:
    """The claims of a staff member's ID token as API Gateway passes them on (all text);
    a change to None leaves that claim out."""
    claims = {
        "token_use": "id",
        "sub": SUB,
        "email": EMAIL,
        "email_verified": "true",
        "cognito:groups": "[triage beheer]",
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def test_an_id_token_names_the_person_by_sub_with_the_verified_email() -> None:
    # Given the claims of an ID token with a verified e-mail
    claims = id_token()

    # When the caller is taken from them
    staff = from_claims(claims)

    # Then it is that person, by sub, shown with the e-mail, in the groups of the token
    assert (staff.user_id, staff.username) == (SUB, EMAIL)
    assert staff.groups == {Group.TRIAGE, Group.ADMINISTRATION}
    assert staff.actor == Actor(id=SUB, name=EMAIL)


@pytest.mark.parametrize("token_use", ["access", "refresh", "ID", "", None], ids=repr)
def test_a_token_other_than_an_id_token_is_refused(token_use: str | None) -> None:
    # Given the claims of another kind of token (an access token of the same pool, say)
    claims = id_token(token_use=token_use)

    # When the caller is taken from them
    # Then it is refused
    with pytest.raises(Forbidden, match="only ID tokens"):
        from_claims(claims)


@pytest.mark.parametrize("sub", ["", None], ids=["empty", "missing"])
def test_a_token_without_a_subject_is_refused(sub: str | None) -> None:
    # Given an ID token without a subject
    claims = id_token(sub=sub)

    # When the caller is taken from them
    # Then it is refused: the audit log could not say who it was
    with pytest.raises(Forbidden, match="without a subject"):
        from_claims(claims)


@pytest.mark.parametrize("verified", ["false", "False", False, "", "yes", None], ids=repr)
def test_an_unverified_email_is_not_shown(verified: object) -> None:
    # Given an ID token whose e-mail is not (or not known to be) verified
    claims = id_token(email_verified=verified)

    # When the caller is taken from them
    staff = from_claims(claims)

    # Then the person is still known by sub, but the e-mail is not shown
    assert staff.actor == Actor(id=SUB, name=NOT_CONFIRMED)
    assert EMAIL not in staff.actor.model_dump_json()


@pytest.mark.parametrize("verified", ["true", "TRUE", True], ids=repr)
def test_a_verified_email_may_come_as_text_or_boolean(verified: object) -> None:
    # Given an ID token whose e-mail is verified, as text (API Gateway) or as a boolean
    # When the caller is taken from it
    staff = from_claims(id_token(email_verified=verified))

    # Then the e-mail is shown
    assert staff.username == EMAIL


def test_a_verified_token_without_an_email_shows_no_email() -> None:
    # Given an ID token that says verified but has no e-mail
    # When the caller is taken from it
    # Then no e-mail is shown
    assert from_claims(id_token(email=None)).username == NOT_CONFIRMED


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        ("[triage beheer]", {Group.TRIAGE, Group.ADMINISTRATION}),
        ("[procesregie]", {Group.PROCESS_DIRECTION}),
        (["triage", "procesregie"], {Group.TRIAGE, Group.PROCESS_DIRECTION}),
        ("[triage,onbekend]", {Group.TRIAGE}),
        (None, set()),
        (42, set()),
    ],
    ids=["flattened", "one", "list", "unknown-ignored", "none", "not-a-list"],
)
def test_groups_are_read_as_api_gateway_flattens_them_or_as_a_list(
    groups: object, expected: set[Group]
) -> None:
    # Given an ID token with these groups
    # When the caller is taken from it
    staff = from_claims(id_token(**{"cognito:groups": groups}))

    # Then only the known groups count
    assert staff.groups == expected


def test_a_caller_outside_the_allowed_groups_is_forbidden() -> None:
    # Given a caller in the triage group only
    staff = from_claims(id_token(**{"cognito:groups": "[triage]"}))

    # When an action for administrators only is required
    # Then it is forbidden; one open to all staff is not
    with pytest.raises(Forbidden):
        staff.require(frozenset({Group.ADMINISTRATION}))
    staff.require(ALL_STAFF)
