"""The status workflow allows exactly the transitions of its table."""

from __future__ import annotations

import itertools

import pytest

from vhcore.status import ALLOWED, IllegalTransition, Status, check_transition, statuses_before


def test_the_happy_path_is_allowed() -> None:
    path = [Status.RECEIVED, Status.SCHEDULED, Status.DECIDED, Status.CLOSED]
    for current, target in itertools.pairwise(path):
        check_transition(current, target)


def test_information_can_go_back_and_forth_before_triage() -> None:
    check_transition(Status.RECEIVED, Status.INFORMATION_REQUESTED)
    check_transition(Status.INFORMATION_REQUESTED, Status.INFORMATION_RECEIVED)
    check_transition(Status.INFORMATION_RECEIVED, Status.INFORMATION_REQUESTED)
    check_transition(Status.INFORMATION_RECEIVED, Status.SCHEDULED)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (current, target)
        for current in Status
        for target in Status
        if target not in ALLOWED[current]
    ],
)
def test_every_other_transition_is_refused_with_a_dutch_explanation(
    current: Status, target: Status
) -> None:
    with pytest.raises(IllegalTransition, match="kan een aanmelding niet naar"):
        check_transition(current, target)


def test_a_closed_case_cannot_change_any_more() -> None:
    with pytest.raises(IllegalTransition, match="Wel mogelijk: niets meer"):
        check_transition(Status.CLOSED, Status.RECEIVED)


def test_a_step_starts_from_the_statuses_that_allow_it_in_workflow_order() -> None:
    assert statuses_before(Status.CLOSED) == [Status.DECIDED]
    assert statuses_before(Status.INFORMATION_RECEIVED) == [Status.INFORMATION_REQUESTED]
    assert statuses_before(Status.DECIDED) == [
        Status.RECEIVED,
        Status.INFORMATION_RECEIVED,
        Status.SCHEDULED,
    ]
    # A step that keeps the status (recording contact): anywhere but at the end.
    assert statuses_before(None) == [s for s in Status if s is not Status.CLOSED]
