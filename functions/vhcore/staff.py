"""Who is calling the staff API, from the claims the HTTP API's JWT authorizer passes on."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from vhcore.errors import Forbidden

__all__ = ["ALL_STAFF", "Forbidden", "Group", "Staff", "from_claims"]


class Group(StrEnum):
    TRIAGE = "triage"
    PROCESS_DIRECTION = "procesregie"
    ADMINISTRATION = "beheer"


ALL_STAFF = frozenset(Group)


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
