"""The status workflow of a registration: an explicit table of allowed transitions.

received -> (information_requested <-> information_received) -> scheduled -> decided -> closed
Every transition is recorded with who, when and why (``vhcore.logic.cases``).
"""

from __future__ import annotations

from enum import StrEnum


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


class IllegalTransition(ValueError):
    """A status change the workflow does not allow; the message says which and why not."""

    def __init__(self, current: Status, target: Status) -> None:
        allowed = ", ".join(DUTCH[s].lower() for s in sorted(ALLOWED[current])) or "niets meer"
        super().__init__(
            f"Van '{DUTCH[current].lower()}' kan een aanmelding niet naar "
            f"'{DUTCH[target].lower()}'. Wel mogelijk: {allowed}."
        )
        self.current = current
        self.target = target


def check_transition(current: Status, target: Status) -> None:
    if target not in ALLOWED[current]:
        raise IllegalTransition(current, target)
