"""Intake: a registration is stored once, encrypted, under a fresh reference."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from tests.factories import PERSONAL_VALUES
from tests.unit.logic.support import AMS, MONDAY, THURSDAY_TRIAGE, register, request, with_ports
from vhcore.dal.memory import SEAL, MemoryOnce, MemoryStore
from vhcore.errors import AlreadyStored, StorageUnavailable
from vhcore.house import House
from vhcore.logic import intake
from vhcore.model import Registration
from vhcore.ports import Services
from vhcore.reference import is_reference
from vhcore.status import Status


@pytest.fixture
def references(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Make intake draw these references, in this order."""

    def draw(*drawn: str) -> None:
        queue: Iterator[str] = iter(drawn)
        monkeypatch.setattr(intake, "new_reference", lambda: next(queue))

    return draw


def test_a_registration_is_stored_as_received_with_a_reference_and_the_houses_dates(
    services: Services,
) -> None:
    # Given a valid registration, received on a Monday morning in the default house
    given = request()

    # When it is registered
    answer = intake.register(services, given, MONDAY.replace(microsecond=123456))

    # Then the answer gives a reference, the moment of receipt and the promised dates
    assert is_reference(answer.reference)
    assert answer.received_at == MONDAY
    assert answer.respond_by == dt.datetime(2026, 11, 30, 17, 0, tzinfo=AMS)
    assert answer.triage_date == THURSDAY_TRIAGE
    # And the stored registration says the same, waiting as received
    registration_id = services.store.find(answer.reference)
    assert registration_id is not None
    stored = services.store.get(registration_id)
    assert stored is not None
    assert stored.status == Status.RECEIVED
    assert (stored.received_at, stored.respond_by) == (answer.received_at, answer.respond_by)
    assert stored.triage_date == THURSDAY_TRIAGE
    assert stored.queued_for is None
    assert stored.history == ()


def test_what_identifies_a_person_is_stored_only_encrypted_for_its_registration(
    services: Services,
) -> None:
    # Given a registration full of distinctive personal values
    given = request()

    # When it is registered
    stored = register(services, **given.model_dump(mode="json"))

    # Then the personal data and the registrant's address are sealed for this registration
    assert stored.personal is not None and stored.contact is not None
    assert stored.personal.startswith(f"{SEAL}:personal:{stored.id}:")
    assert stored.contact == f"{SEAL}:contact:{stored.id}:{PERSONAL_VALUES['email']}"
    sealed_content = json.loads(stored.personal.split(":", 3)[3])
    assert sealed_content == json.loads(intake.personal_data(given))
    # And no personal value is readable in the clear fields
    clear = stored.model_dump_json(exclude={"personal", "contact"})
    assert [value for value in PERSONAL_VALUES.values() if value in clear] == []


def test_the_clear_fields_describe_the_case_for_the_queue_without_names(
    services: Services,
) -> None:
    # Given an urgent registration about two persons from a partner's address
    persons = request().model_dump(mode="json")["persons"]
    partner = persons[0] | {"relation": "partner", "first_name": "Anna"}

    # When it is registered
    stored = register(
        services,
        persons=[*persons, partner],
        urgency="spoed",
        urgency_reason="Dreigende uitzetting volgende week.",
    )

    # Then the queue's fields are filled in from it
    assert stored.registrant_organisation == "politie"
    assert stored.urgency == "spoed"
    assert stored.person_count == 2
    assert stored.criteria_met is True
    assert stored.address_matches_organisation is True
    assert stored.house == "voorbeeldregio"


@pytest.mark.parametrize(
    ("organisation", "email", "organisation_name"),
    [
        ("politie", "iemand@gmail.example.com", None),
        ("anders", "iemand@politie.example.org", "Stichting Prunus"),
        ("ggz", "iemand@politie.example.org", None),
    ],
    ids=[
        "address-outside-the-partners-domains",
        "other-organisation-with-a-partners-address",
        "another-partners-address",
    ],
)
def test_an_address_matches_only_when_it_is_the_chosen_organisations(
    services: Services, organisation: str, email: str, organisation_name: str | None
) -> None:
    # Given a registrant who is not a partner writing from a partner's domain
    registrant = request().registrant.model_dump(mode="json") | {
        "organisation": organisation,
        "email": email,
        "organisation_name": organisation_name,
    }

    # When the registration is stored
    stored = register(services, registrant=registrant)

    # Then it is not marked as the organisation's, and the answer says no receipt is sent
    assert stored.address_matches_organisation is False
    answer = intake.register(services, request(registrant=registrant, submission_id=None))
    assert answer.receipt is False


def test_an_open_case_is_kept_for_the_longest_retention_period_from_receipt(
    services: Services,
) -> None:
    # Given the default house keeps cases 12 months (not taken on) or 60 months (taken on)
    # When a registration is stored
    stored = register(services, MONDAY)

    # Then it expires 60 months after receipt
    assert stored.expires_at == int(dt.datetime(2031, 11, 23, 10, 15, tzinfo=AMS).timestamp())


def test_a_house_without_a_weekly_triage_gives_no_triage_date(
    services: Services, use_house: Callable[[str], House]
) -> None:
    # Given a house that plans its triage by hand
    use_house("sittard")

    # When a registration is stored
    stored = register(services, MONDAY)

    # Then it has no triage date, and the answer promises a reply in two weeks
    assert stored.triage_date is None
    assert stored.house == "sittard"
    assert stored.respond_by.astimezone(AMS).date() == dt.date(2026, 12, 7)


def test_the_same_submission_sent_twice_is_stored_once_and_answered_alike(
    services: Services, store: MemoryStore
) -> None:
    # Given a submission from the form's script, with its submission id
    given = request()

    # When it arrives twice
    first = intake.register(services, given, MONDAY)
    second = intake.register(services, given, MONDAY + dt.timedelta(minutes=1))

    # Then the second answer is the first, and one registration is stored
    assert second == first
    assert len(store.registrations) == 1


def test_without_a_submission_id_the_same_content_is_stored_once(
    services: Services, store: MemoryStore
) -> None:
    # Given the same registration posted twice without a submission id (plain HTML form)
    given = request(submission_id=None)

    # When it is registered twice
    first = intake.register(services, given, MONDAY)
    second = intake.register(services, given, MONDAY)

    # Then it is stored once, under a random id
    assert second == first
    assert len(store.registrations) == 1
    (registration_id,) = store.registrations
    assert uuid.UUID(registration_id).version == 4


def test_a_submission_whose_idempotency_record_expired_gets_its_first_answer_again(
    services: Services, store: MemoryStore
) -> None:
    # Given a submission stored before, whose idempotency record no longer exists
    given = request()
    first = intake.register(services, given, MONDAY)
    fresh = with_ports(services, once=MemoryOnce())

    # When it arrives again, days later
    again = intake.register(fresh, given, MONDAY + dt.timedelta(days=3))

    # Then it is answered with the stored reference and dates; nothing new is stored
    assert again.reference == first.reference
    assert again.received_at == first.received_at
    assert again.respond_by == first.respond_by
    assert again.triage_date == first.triage_date
    assert len(store.registrations) == 1
    assert list(store.references) == [first.reference]


@dataclass
class GoneAgainStore(MemoryStore):
    """The submission's id is taken once, by a registration removed again before it is read."""

    taken: set[str] = field(default_factory=set)

    def add(self, registration: Registration, *, reference_until: int) -> None:
        if registration.id in self.taken:
            self.taken.discard(registration.id)
            raise AlreadyStored(registration.id)
        super().add(registration, reference_until=reference_until)


def test_a_submission_stored_before_but_gone_again_is_stored_anew(services: Services) -> None:
    # Given a submission whose earlier registration was removed before it could be read back
    given = request()
    gone = GoneAgainStore(taken={intake.registration_id_for(given)})

    # When it arrives
    answer = intake.register(with_ports(services, store=gone), given, MONDAY)

    # Then it is stored anew under its own id
    assert gone.find(answer.reference) == intake.registration_id_for(given)
    assert len(gone.registrations) == 1


def test_a_reference_that_is_taken_is_drawn_again(
    services: Services, store: MemoryStore, references: Callable[..., None]
) -> None:
    # Given a reference already in use, and it is the first one drawn
    existing = register(services)
    references(existing.reference, "VH-2345-6789")

    # When another registration is stored
    answer = intake.register(services, request(), MONDAY)

    # Then it gets the next reference drawn, and the first registration keeps its own
    assert answer.reference == "VH-2345-6789"
    assert store.find(existing.reference) == existing.id
    assert len(store.registrations) == 2


def test_when_every_reference_drawn_is_taken_nothing_is_stored(
    services: Services, store: MemoryStore, once: MemoryOnce, references: Callable[..., None]
) -> None:
    # Given every reference intake tries is taken
    existing = register(services)
    references(*[existing.reference] * intake.MAX_REFERENCE_ATTEMPTS)

    # When another registration arrives
    # Then it is refused as unavailable storage, and nothing was kept for it
    with pytest.raises(StorageUnavailable, match="no free reference"):
        intake.register(services, request(), MONDAY)
    assert list(store.registrations) == [existing.id]
    assert len(once.answers) == 1


def test_when_storage_is_unavailable_registering_fails_and_nothing_is_remembered(
    services: Services,
) -> None:
    # Given the store is down
    down = MemoryStore(unavailable=True)
    once = MemoryOnce()
    down_services = with_ports(services, store=down, once=once)

    # When a registration arrives
    # Then the caller hears storage is unavailable, and a retry is not answered from memory
    with pytest.raises(StorageUnavailable):
        intake.register(down_services, request(), MONDAY)
    assert down.registrations == {}
    assert once.answers == {}


def test_a_filled_honeypot_is_answered_as_accepted_but_nothing_is_kept(
    services: Services, store: MemoryStore, once: MemoryOnce
) -> None:
    # Given a bot filled the hidden website field
    bot = request(website="https://spam.example.com")

    # When it registers
    answer = intake.register(services, bot, MONDAY)

    # Then it gets a believable answer, but nothing is stored or remembered
    assert is_reference(answer.reference)
    assert answer.triage_date == THURSDAY_TRIAGE
    assert store.registrations == {}
    assert store.references == {}
    assert once.answers == {}


def test_the_registration_time_defaults_to_the_domains_clock(services: Services) -> None:
    # Given the domain's clock stands at Monday morning
    # When a registration is stored without a moment
    answer = intake.register(services, request())

    # Then it is received at that moment
    assert answer.received_at == MONDAY


def test_a_submission_id_always_gives_the_same_registration_id() -> None:
    # Given two requests with the same submission id, but different content
    one = request(submission_id="form-1234-abcd")
    other = request(submission_id="form-1234-abcd", question="Een andere vraag aan het huis.")

    # When their ids and idempotency keys are derived
    ids = {intake.registration_id_for(one), intake.registration_id_for(other)}
    keys = {intake.idempotency_key(one), intake.idempotency_key(other)}

    # Then both are the same: the submission id decides
    assert ids == {str(uuid.uuid5(intake.SUBMISSIONS, "form-1234-abcd"))}
    assert keys == {json.dumps({"submission_id": "form-1234-abcd"})}


def test_without_a_submission_id_the_content_is_the_key_and_the_honeypot_is_no_content() -> None:
    # Given two requests without a submission id, one with an empty honeypot
    plain = request(submission_id=None)
    with_empty_honeypot = request(submission_id=None, website="")

    # When their idempotency keys are derived
    # Then they are equal, and the key holds the content without the hidden fields
    assert intake.idempotency_key(plain) == intake.idempotency_key(with_empty_honeypot)
    content = json.loads(intake.idempotency_key(plain))["content"]
    assert content["description"] == PERSONAL_VALUES["description"]
    assert "submission_id" not in content
    assert "website" not in content


def test_the_reference_claim_expires_after_the_longest_a_case_can_be_kept() -> None:
    # Given a registration received on Monday 23 November 2026 in the default house
    received = MONDAY.astimezone(dt.UTC)

    # When its reference claim's expiry is worked out
    until = dt.datetime.fromtimestamp(intake.reference_until(received), dt.UTC)

    # Then it lies after every period the case itself can run to (60 + 60 + 60 months)
    assert until.date() == dt.date(2041, 11, 23)
