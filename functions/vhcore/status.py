"""The status workflow of a registration: an explicit table of allowed transitions.

received -> (information_requested <-> information_received) -> scheduled -> decided -> closed
Every transition is recorded with who, when and why (``vhcore.logic.cases``).
"""

from __future__ import annotations

from enum import StrEnum

from vhcore.errors import IllegalTransition

__all__ = ["ALLOWED", "DUTCH", "IllegalTransition", "Status", "check_transition"]


class Status(StrEnum):
    RECEIVED = "received"
    INFORMATION_REQUESTED = "information_requested"
    INFORMATION_RECEIVED = "information_received"
    SCHEDULED = "scheduled"
    DECIDED = "decided"
    CLOSED = "closed"


DUTCH: dict[Status, str] = {
    Status.RECEIVED: "Ontvangen",
    Status.INFORMATION_REQUESTED: "Informatie gevraagd",
    Status.INFORMATION_RECEIVED: "Informatie ontvangen",
    Status.SCHEDULED: "Geagendeerd voor triage",
    Status.DECIDED: "Besluit genomen",
    Status.CLOSED: "Afgesloten",
}

ALLOWED: dict[Status, frozenset[Status]] = {
    Status.RECEIVED: frozenset({Status.INFORMATION_REQUESTED, Status.SCHEDULED, Status.DECIDED}),
    Status.INFORMATION_REQUESTED: frozenset({Status.INFORMATION_RECEIVED}),
    Status.INFORMATION_RECEIVED: frozenset(
        {Status.INFORMATION_REQUESTED, Status.SCHEDULED, Status.DECIDED}
    ),
    Status.SCHEDULED: frozenset({Status.INFORMATION_REQUESTED, Status.SCHEDULED, Status.DECIDED}),
    Status.DECIDED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


def statuses_before(target: Status | None) -> list[Status]:
    """The statuses from which a case may go to ``target``, in workflow order. For a step that
    keeps the status (None, such as recording contact): every status with a next step."""
    if target is None:
        return [status for status in Status if ALLOWED[status]]
    return [status for status in Status if target in ALLOWED[status]]


def check_transition(current: Status, target: Status) -> None:
    """Refuse a change the table does not allow, saying in Dutch what is possible."""
    if target not in ALLOWED[current]:
        allowed = ", ".join(DUTCH[s].lower() for s in sorted(ALLOWED[current])) or "niets meer"
        raise IllegalTransition(
            f"Van '{DUTCH[current].lower()}' kan een aanmelding niet naar "
            f"'{DUTCH[target].lower()}'. Wel mogelijk: {allowed}.",
            current.value,
            target.value,
        )
