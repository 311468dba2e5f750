"""Who is calling the staff API, from the claims the HTTP API's JWT authorizer passes on, and
what each group may do. The staff page (site/docs/beheer/) is generated from these tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from vhcore.errors import Forbidden
from vhcore.model import Actor
from vhcore.status import Status

__all__ = [
    "ALL_STAFF",
    "CASE_ACTIONS",
    "DUTCH",
    "ERASE_REASONS",
    "PURPOSES",
    "RIGHTS",
    "EraseCategory",
    "Forbidden",
    "Group",
    "PurposeCategory",
    "Staff",
    "from_claims",
]


class Group(StrEnum):
    TRIAGE = "triage"
    PROCESS_DIRECTION = "procesregie"
    ADMINISTRATION = "beheer"


ALL_STAFF = frozenset(Group)

# How the staff page names each group.
DUTCH: dict[Group, str] = {
    Group.TRIAGE: "triage",
    Group.PROCESS_DIRECTION: "procesregie",
    Group.ADMINISTRATION: "functioneel beheer",
}

# Which groups may do what, by the names the staff page and the audit log give the actions.
# Reading the queue, an agenda or a case is open to every group.
RIGHTS: Mapping[str, frozenset[Group]] = {
    "contact": ALL_STAFF,
    "information-request": ALL_STAFF,
    "information-received": ALL_STAFF,
    "schedule": ALL_STAFF,
    "decision": frozenset({Group.TRIAGE, Group.PROCESS_DIRECTION}),
    "close": frozenset({Group.PROCESS_DIRECTION, Group.ADMINISTRATION}),
    # The plan after triage: kept by process direction with the casusregisseur.
    "plan": frozenset({Group.PROCESS_DIRECTION}),
    # A case for the chain's case file: who works the case takes it there.
    "export": frozenset({Group.TRIAGE, Group.PROCESS_DIRECTION}),
    "audit": frozenset({Group.ADMINISTRATION}),
    "figures": frozenset({Group.PROCESS_DIRECTION, Group.ADMINISTRATION}),
    "erase": frozenset({Group.ADMINISTRATION}),
}


class EraseCategory(StrEnum):
    """Why a case is erased before its retention ends; kept in the audit log."""

    SPAM = "spam"
    WRONG = "onjuist"
    REQUEST = "verzoek"


ERASE_REASONS: Mapping[EraseCategory, str] = {
    EraseCategory.SPAM: "Spam of misbruik van het formulier",
    EraseCategory.WRONG: "Onjuiste of kwaadwillige aanmelding",
    EraseCategory.REQUEST: "Verzoek van een betrokkene om de gegevens te wissen",
}


# Why a case is opened: the category is kept in clear in the audit log (an auditor can count
# and filter), what the person adds in words only encrypted.
class PurposeCategory(StrEnum):
    TRIAGE = "triage"
    CONTACT = "contact"
    FOLLOW_UP = "uitvoering"
    REQUEST = "verzoek"
    CONTROL = "controle"


PURPOSES: Mapping[PurposeCategory, str] = {
    PurposeCategory.TRIAGE: "Voorbereiding of uitvoering van de triage",
    PurposeCategory.CONTACT: "Contact met de aanmelder of een partner",
    PurposeCategory.FOLLOW_UP: "Uitvoering van het besluit of het plan van aanpak",
    PurposeCategory.REQUEST: "Verzoek van een betrokkene (inzage, correctie of verwijdering)",
    PurposeCategory.CONTROL: "Controle of audit",
}

# The status each action on a case leads to (None: recorded without a change of status), as
# vhcore.logic.cases applies it.
CASE_ACTIONS: Mapping[str, Status | None] = {
    "contact": None,
    "information-request": Status.INFORMATION_REQUESTED,
    "information-received": Status.INFORMATION_RECEIVED,
    "schedule": Status.SCHEDULED,
    "decision": Status.DECIDED,
    "close": Status.CLOSED,
}


# The staff API takes one kind of token: the ID token the sign-in puts in the session cookie
# (it names the person: ``sub`` and the verified e-mail). An access token of the same pool
# and client is refused, so every audit record names people the same way.
TOKEN_USE = "id"  # noqa: S105 - a claim value, not a secret
UNVERIFIED = "(e-mailadres niet bevestigd)"


@dataclass(frozen=True)
class Staff:
    user_id: str
    username: str
    groups: frozenset[Group]

    @property
    def actor(self) -> Actor:
        """How the audit log and the case history record this person: by ``sub``, which the
        user cannot change, shown with the verified e-mail of this moment."""
        return Actor(id=self.user_id, name=self.username)

    def require(self, allowed: frozenset[Group]) -> None:
        if not self.groups & allowed:
            raise Forbidden("not in a group that may do this")


def _groups(raw: Any) -> frozenset[Group]:
    """API Gateway flattens array claims into '[triage beheer]'; accept a list as well."""
    if isinstance(raw, str):
        names = raw.strip("[]").replace(",", " ").split()
    elif isinstance(raw, list):
        names = [str(n) for n in raw]
    else:
        names = []
    return frozenset(Group(n) for n in names if n in {g.value for g in Group})


def _verified(value: Any) -> bool:
    """API Gateway passes boolean claims as text."""
    return value is True or str(value).lower() == "true"


def from_claims(claims: dict[str, Any]) -> Staff:
    """The caller named by an ID token's claims; ``Forbidden`` for another kind of token or
    one without a subject."""
    if claims.get("token_use") != TOKEN_USE:
        raise Forbidden("only ID tokens are accepted")
    user_id = str(claims.get("sub") or "")
    if not user_id:
        raise Forbidden("a token without a subject")
    email = str(claims.get("email") or "")
    return Staff(
        user_id=user_id,
        username=email if email and _verified(claims.get("email_verified")) else UNVERIFIED,
        groups=_groups(claims.get("cognito:groups")),
    )
