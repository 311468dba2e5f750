"""One submission id, one content: a repeat with other content is refused, not dropped."""

from __future__ import annotations

import pytest

from tests.factories import registration
from vhcore.dal.memory import memory_services
from vhcore.errors import SubmissionChanged
from vhcore.http import error_answer
from vhcore.logic.intake import content_fingerprint, register
from vhcore.registration import RegistrationRequest


def request(**overrides: object) -> RegistrationRequest:
    return RegistrationRequest.model_validate(registration(**overrides))


def test_a_repeat_with_the_same_content_gets_the_first_answer() -> None:
    services = memory_services()
    first = request()
    assert register(services, first) == register(services, first)


def test_a_repeat_with_other_content_is_refused_and_the_first_is_kept() -> None:
    services = memory_services()
    first = request()
    changed = request(
        submission_id=first.submission_id, description=first.description + " Nog iets."
    )
    answer = register(services, first)
    with pytest.raises(SubmissionChanged):
        register(services, changed)
    assert register(services, first) == answer


def test_a_new_submission_id_or_a_new_honeypot_is_no_other_content() -> None:
    first = request()
    assert content_fingerprint(first) == content_fingerprint(request(submission_id="anders-123"))
    assert content_fingerprint(first) != content_fingerprint(request(description="x" * 30))


def test_a_changed_submission_is_answered_409_in_dutch() -> None:
    answer = error_answer(SubmissionChanged("changed"), "partner")
    assert answer.status == 409
    assert answer.message == (
        "Deze aanmelding is al verstuurd, met andere gegevens. Laad de pagina opnieuw en "
        "verstuur de aanmelding nog een keer."
    )
