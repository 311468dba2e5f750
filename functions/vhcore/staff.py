"""Who is calling the staff API, from the claims the HTTP API's JWT authorizer passes on, and
what each group may do. The staff page (site/docs/beheer/) is generated from these tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from vhcore.errors import Forbidden
from vhcore.status import Status

__all__ = [
    "ALL_STAFF",
    "CASE_ACTIONS",
    "DUTCH",
    "RIGHTS",
    "Forbidden",
    "Group",
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
    "audit": frozenset({Group.ADMINISTRATION}),
    "figures": frozenset({Group.PROCESS_DIRECTION, Group.ADMINISTRATION}),
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


@dataclass(frozen=True)
class Staff:
    user_id: str
    username: str
    groups: frozenset[Group]

    @property
    def actor(self) -> str:
        """How the audit log and the case history name this person."""
        return self.username

    def require(self, allowed: frozenset[Group]) -> None:
        if not self.groups & allowed:
            raise Forbidden(self.username)


def _groups(raw: Any) -> frozenset[Group]:
    """API Gateway flattens array claims into '[triage beheer]'; accept a list as well."""
    if isinstance(raw, str):
        names = raw.strip("[]").replace(",", " ").split()
    elif isinstance(raw, list):
        names = [str(n) for n in raw]
    else:
        names = []
    return frozenset(Group(n) for n in names if n in {g.value for g in Group})


def from_claims(claims: dict[str, Any]) -> Staff:
    return Staff(
        user_id=str(claims.get("sub", "")),
        username=str(
            claims.get("email") or claims.get("username") or claims.get("cognito:username") or ""
        ),
        groups=_groups(claims.get("cognito:groups")),
    )
