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
    "RIGHTS_TABLE",
    "EraseCategory",
    "Forbidden",
    "Group",
    "PurposeCategory",
    "Right",
    "Staff",
    "from_claims",
    "rights_markdown",
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


@dataclass(frozen=True)
class Right:
    """What one right allows, who has it and why: the one table the code checks, the staff
    page's help shows and docs/rights.md is generated from (``rights_markdown``)."""

    groups: frozenset[Group]
    dutch: str  # what it allows, on the staff page
    english: str  # the same, in docs/rights.md
    why: str  # why exactly these groups (the least each job needs), in docs/rights.md


TRIAGE_WORK = frozenset({Group.TRIAGE, Group.PROCESS_DIRECTION})
_CASE_WORK = "The work on a case before and at the triage; beheer does not handle cases."

# By the names the staff page and the audit log give the actions.
RIGHTS_TABLE: Mapping[str, Right] = {
    "read": Right(
        TRIAGE_WORK,
        "De wachtrij, de agenda's en de open aanmeldingen zien; een aanmelding openen met een doel",
        "See the queue, the agendas and the open cases; open a case for a stated purpose",
        "Triage members and procesregisseurs prepare and hold the triage. Beheer keeps the"
        " system and checks its use: it needs the audit trail, not the cases themselves.",
    ),
    "contact": Right(
        TRIAGE_WORK,
        "Vastleggen dat er contact is geweest met de aanmelder",
        "Record contact with the registrant",
        _CASE_WORK,
    ),
    "information-request": Right(
        TRIAGE_WORK,
        "Om aanvullende informatie vragen",
        "Ask for more information",
        _CASE_WORK,
    ),
    "information-received": Right(
        TRIAGE_WORK,
        "Vastleggen dat de informatie binnen is",
        "Record that the information came in",
        _CASE_WORK,
    ),
    "schedule": Right(
        TRIAGE_WORK,
        "Een aanmelding op de agenda van een triage zetten",
        "Put a case on a triage's agenda",
        _CASE_WORK,
    ),
    "decision": Right(
        TRIAGE_WORK,
        "Het besluit van de triage vastleggen",
        "Record the triage's decision",
        "The triage decides together; a triage member or the procesregisseur records it.",
    ),
    "close": Right(
        frozenset({Group.PROCESS_DIRECTION}),
        "Een aanmelding afsluiten",
        "Close a case",
        "The procesregisseur guards the process after the triage and agrees with the"
        " casusregisseur when a case ends.",
    ),
    "plan": Right(
        frozenset({Group.PROCESS_DIRECTION}),
        "Het plan na de triage vastleggen en bijhouden (doel, acties, casusregisseur)",
        "Record and keep the plan after the triage (goal, actions, casusregisseur)",
        "The procesregisseur keeps the plan with the casusregisseur once a case is taken on.",
    ),
    "export": Right(
        TRIAGE_WORK,
        "Een aanmelding exporteren voor het ketendossier (met een doel)",
        "Export a case for the chain's case file (for a stated purpose)",
        "Who works the case takes it to the chain's case file; beheer does not handle cases.",
    ),
    "audit": Right(
        frozenset({Group.ADMINISTRATION}),
        "De audittrail bekijken en downloaden: wie wat heeft ingezien of gedaan, wanneer en waarom",
        "See and download the audit trail: who read or did what, when and why",
        "Checking the use of personal data is apart from the work itself: those who read the"
        " cases do not check themselves.",
    ),
    "figures": Right(
        frozenset({Group.PROCESS_DIRECTION, Group.ADMINISTRATION}),
        "De cijfers voor het jaarverslag bekijken en downloaden (zonder persoonsgegevens)",
        "See and download the figures for the annual report (no personal data)",
        "The procesregisseur reports on the process, beheer writes the annual report; the"
        " figures hold no personal data.",
    ),
    "erase": Right(
        frozenset({Group.ADMINISTRATION}),
        "Een aanmelding wissen vóór de bewaartermijn (spam, onjuist, verzoek van betrokkene)",
        "Erase a case before its retention period ends (spam, wrong, a person's request)",
        "Erasing is a data-protection task of beheer; it does not open the case, and the"
        " audit log keeps why.",
    ),
}

# Which groups may do what (the handlers check these). Signing in and seeing who one is is
# open to every group.
RIGHTS: Mapping[str, frozenset[Group]] = {name: r.groups for name, r in RIGHTS_TABLE.items()}


def rights_markdown() -> str:
    """docs/rights.md: the rights table, per right and per group (``make openapi``)."""
    groups = list(Group)
    lines = [
        "# Rights of the staff groups",
        "",
        "<!-- Generated from vhcore.staff.RIGHTS_TABLE by `make openapi`; do not edit. -->",
        "",
        "What each staff group may read and do on the staff page and the staff API. The"
        " admin function checks these rights per route (`vhcore.staff.RIGHTS`); the staff"
        " page's help shows the same table in Dutch. Each right is the least that group's job"
        " needs (the roles: [domain.md](domain.md#roles)). Every group may sign in and see"
        " who it is signed in as.",
        "",
        "| right | what it allows | " + " | ".join(f"`{g.value}`" for g in groups) + " | why |",
        "|---|---|" + "---|" * len(groups) + "---|",
    ]
    for name, right in RIGHTS_TABLE.items():
        marks = " | ".join("yes" if g in right.groups else "no" for g in groups)
        lines.append(f"| `{name}` | {right.english} | {marks} | {right.why} |")
    lines += ["", "Per group:", ""]
    for group in groups:
        allowed = [n for n, r in RIGHTS_TABLE.items() if group in r.groups]
        lines.append(f"- `{group.value}` ({DUTCH[group]}): " + ", ".join(f"`{n}`" for n in allowed))
    return "\n".join(lines) + "\n"


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
