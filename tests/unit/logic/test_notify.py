"""Sending the e-mail a queue message asks for: to the registrant's decrypted address or to
the staff mailbox, never with data of a betrokkene."""

from __future__ import annotations

import pytest

from tests.factories import PERSONAL_VALUES
from tests.unit.logic.conftest import FrozenClock
from tests.unit.logic.support import (
    ADVICE,
    NOT_TAKEN_ON,
    PROCESS_DIRECTOR,
    decide,
    register,
    request,
)
from vhcore.dal.memory import MemoryMailer, MemorySent, MemoryStore
from vhcore.errors import NotFound, StorageUnavailable
from vhcore.logic import notify
from vhcore.messages_queue import NotifyMessage
from vhcore.model import OutgoingEmail, Registration
from vhcore.ports import Services

SITE = "https://vh.example.org"
MAILBOX = "triage@vh.example.org"
LEAD = "teamleider@vh.example.org"
# What may never appear in an e-mail: everything about the persons and the decision's notes.
NEVER_IN_AN_EMAIL = [*PERSONAL_VALUES.values(), ADVICE, PROCESS_DIRECTOR]


@pytest.fixture(autouse=True)
def site(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITE_URL", f"{SITE}/")


def leaked(email: OutgoingEmail) -> list[str]:
    content = "\n".join((email.subject, email.text, email.html))
    return [value for value in NEVER_IN_AN_EMAIL if value in content]


def decided(services: Services) -> Registration:
    registration = register(services)
    return decide(services, registration, NOT_TAKEN_ON)


def send(
    services: Services, kind: str, registration: Registration, about: str | None = None
) -> None:
    message = NotifyMessage.model_validate(
        {
            "kind": kind,
            "registration_id": registration.id,
            "about": about,
            "message_id": f"{kind}-{about}",
        }
    )
    notify.handle(services, message, MAILBOX, escalation_mailbox=LEAD)


@pytest.mark.parametrize(
    ("kind", "about", "reader"),
    [(kind, None, PERSONAL_VALUES["email"]) for kind in sorted(notify.TO_REGISTRANT)]
    + [(kind, None, MAILBOX) for kind in ("urgent", "announce")]
    + [("reminder", about, MAILBOX) for about in ("contact", "decision", "information", None)]
    + [("escalation", about, LEAD) for about in ("contact", "decision", None)],
)
def test_each_notice_goes_to_its_reader_and_holds_no_personal_data(
    services: Services, mailer: MemoryMailer, kind: str, about: str | None, reader: str
) -> None:
    # Given a decided registration (so every notice can be written)
    registration = decided(services)

    # When the message of this kind is handled
    send(services, kind, registration, about)

    # Then one e-mail goes to the registrant's decrypted address or to the staff mailbox,
    # naming the reference
    (email,) = mailer.sent
    assert email.to == reader
    assert registration.reference in email.subject
    assert registration.reference in email.text and registration.reference in email.html
    # And it holds nothing about the persons, the registrant or the decision's notes
    assert leaked(email) == []


def test_a_reminder_links_staff_to_the_case(services: Services, mailer: MemoryMailer) -> None:
    # Given a registration nobody made contact for
    registration = register(services)

    # When the workflow's reminder is handled
    send(services, "reminder", registration)

    # Then the e-mail links to the case on the site
    assert [f"{SITE}/beheer/#{registration.reference}" in e.text for e in mailer.sent] == [True]


def test_the_escalation_goes_to_someone_else_and_says_what_to_do(
    services: Services, mailer: MemoryMailer
) -> None:
    # Given a registration nobody made contact for, even after the reminder
    registration = register(services)

    # When the escalation is handled
    send(services, "escalation", registration, "contact")

    # Then the escalation mailbox hears the term lapsed, and what to do, not "contact us"
    (email,) = mailer.sent
    assert email.to == LEAD
    assert email.subject == (
        f"Termijn verlopen: nog geen contact bij aanmelding {registration.reference}"
    )
    assert "Voor de teamleider van" in email.text
    assert "Wat u nu doet:" in email.text
    assert "Vragen?" not in email.text and "Vragen?" not in email.html


def test_every_staff_mail_ends_with_what_to_do(services: Services, mailer: MemoryMailer) -> None:
    # Given a registration
    registration = register(services)

    # When each staff mail about it is handled
    for kind, about in [
        ("reminder", "contact"),
        ("reminder", "decision"),
        ("reminder", "information"),
        ("escalation", "decision"),
        ("urgent", None),
        ("announce", None),
    ]:
        send(services, kind, registration, about)

    # Then each tells what to do and links to the case, and none tells the team to call itself
    assert len(mailer.sent) == 6
    for email in mailer.sent:
        assert "Wat u nu doet:" in email.text
        assert f"{SITE}/beheer/#{registration.reference}" in email.text
        assert "Vragen?" not in email.text


def test_the_decision_notice_names_the_houses_outcome(
    services: Services, mailer: MemoryMailer
) -> None:
    # Given a case not taken on
    registration = decided(services)

    # When the decision notice is sent
    send(services, "decision", registration)

    # Then it names the outcome in the house's words
    (email,) = mailer.sent
    assert "Niet voor het Veiligheidshuis" in email.text


def test_the_agenda_goes_to_the_staff_mailbox_with_the_count_only(
    services: Services, mailer: MemoryMailer
) -> None:
    # Given the agenda of Thursday's triage was fixed with two registrations
    message = NotifyMessage(kind="agenda", triage_date="2026-11-26", count=2)

    # When its message is handled
    notify.handle(services, message, MAILBOX)

    # Then staff are told the date and the count, with a link to the queue
    (email,) = mailer.sent
    assert email.to == MAILBOX
    assert email.subject == "Agenda triage donderdag 26 november 2026: 2 aanmelding(en)"
    assert f"{SITE}/beheer/" in email.text


@pytest.mark.parametrize(
    "message",
    [
        NotifyMessage(kind="agenda", count=2),
        NotifyMessage(kind="agenda", triage_date="2026-11-26"),
        NotifyMessage(kind="receipt"),
        NotifyMessage(kind="reminder"),
    ],
    ids=["agenda-without-date", "agenda-without-count", "receipt-without-id", "reminder-no-id"],
)
def test_a_message_without_what_its_kind_needs_is_refused(
    services: Services, mailer: MemoryMailer, message: NotifyMessage
) -> None:
    # Given a message that lacks the date, count or registration its kind needs
    # When it is handled
    # Then it is refused and nothing is sent
    with pytest.raises(ValueError, match="names its"):
        notify.handle(services, message, MAILBOX)
    assert mailer.sent == []


@pytest.mark.parametrize("kind", ["receipt", "reminder"])
def test_a_message_for_an_unknown_registration_is_not_found(
    services: Services, mailer: MemoryMailer, kind: str
) -> None:
    # Given no registration with this id (e.g. removed at the end of its retention)
    message = NotifyMessage.model_validate({"kind": kind, "registration_id": "gone"})

    # When its message is handled
    # Then it is not found and nothing is sent
    with pytest.raises(NotFound):
        notify.handle(services, message, MAILBOX)
    assert mailer.sent == []


def test_a_registration_without_the_registrants_address_gets_no_notice(
    services: Services, store: MemoryStore, mailer: MemoryMailer
) -> None:
    # Given a registration stored without the registrant's address
    registration = register(services)
    store.registrations[registration.id] = registration.model_copy(update={"contact": None})

    # When its receipt is handled
    # Then it is refused and nothing is sent
    with pytest.raises(ValueError, match="without the registrant's address"):
        send(services, "receipt", registration)
    assert mailer.sent == []


def test_an_address_sealed_for_another_registration_is_not_used(
    services: Services, store: MemoryStore, mailer: MemoryMailer
) -> None:
    # Given a registration whose address ciphertext belongs to another registration
    registration = register(services)
    other = register(services)
    store.registrations[registration.id] = registration.model_copy(
        update={"contact": other.contact}
    )

    # When its receipt is handled
    # Then decrypting fails and nothing is sent
    with pytest.raises(StorageUnavailable):
        send(services, "receipt", registration)
    assert mailer.sent == []


def test_no_receipt_goes_to_an_address_that_is_not_the_chosen_organisations(
    services: Services, mailer: MemoryMailer
) -> None:
    # Given a registration from an address outside the chosen organisation's domains
    registrant = request().registrant.model_dump(mode="json") | {
        "organisation": "ggz",
        "email": "iemand@politie.example.org",
    }
    registration = register(services, registrant=registrant)

    # When its receipt is due
    send(services, "receipt", registration)

    # Then nothing is sent to that address
    assert mailer.sent == []


# --- each e-mail once (issue #15) -----------------------------------------------------------


def receipt(registration: Registration, message_id: str | None = "m-1") -> NotifyMessage:
    return NotifyMessage(kind="receipt", registration_id=registration.id, message_id=message_id)


def test_a_message_handled_twice_sends_one_email(
    services: Services, mailer: MemoryMailer, sent: MemorySent
) -> None:
    # Given a receipt that was sent
    registration = register(services)
    notify.handle(services, receipt(registration), MAILBOX, delivery_id="d-1")

    # When the same message comes again (a redelivery, or the state machine's retry of its
    # send, which the queue gives another id)
    notify.handle(services, receipt(registration), MAILBOX, delivery_id="d-2")

    # Then one e-mail went, and its record says so
    assert len(mailer.sent) == 1
    assert [r.state for r in sent.records.values()] == ["sent"]


def test_another_message_of_the_same_kind_sends_its_own_email(
    services: Services, mailer: MemoryMailer
) -> None:
    # Given an agenda e-mail that was sent
    agenda = NotifyMessage(kind="agenda", triage_date="2026-11-26", count=2, message_id="a-1")
    notify.handle(services, agenda, MAILBOX)

    # When another message about the same agenda comes (staff told again after a failure)
    notify.handle(services, agenda.model_copy(update={"message_id": "a-2"}), MAILBOX)

    # Then both e-mails go
    assert len(mailer.sent) == 2


def test_without_a_message_id_the_delivery_tells_messages_apart(
    services: Services, mailer: MemoryMailer
) -> None:
    # Given a message queued before producers named their messages, handled once
    registration = register(services)
    notify.handle(services, receipt(registration, None), MAILBOX, delivery_id="d-1")

    # When the queue delivers it again, and then another message of the same kind comes
    notify.handle(services, receipt(registration, None), MAILBOX, delivery_id="d-1")
    notify.handle(services, receipt(registration, None), MAILBOX, delivery_id="d-2")

    # Then the redelivery sends nothing and the other message its own e-mail
    assert len(mailer.sent) == 2


def test_an_email_whose_answer_was_lost_is_not_sent_again(
    services: Services, mailer: MemoryMailer, sent: MemorySent
) -> None:
    # Given SES sends the receipt but its answer does not arrive
    registration = register(services)
    mailer.answer_lost = True
    notify.handle(services, receipt(registration), MAILBOX)

    # When the message comes again and SES answers again
    mailer.answer_lost = False
    notify.handle(services, receipt(registration), MAILBOX)

    # Then one e-mail went (at most once: a second receipt cannot be undone), recorded as
    # unknown (which raises the alarm)
    assert len(mailer.sent) == 1
    assert [r.state for r in sent.records.values()] == ["unknown"]


@pytest.mark.parametrize("down", ["mailer", "sent"])
def test_when_ses_or_the_records_are_down_the_redelivery_sends_the_email(
    services: Services, mailer: MemoryMailer, sent: MemorySent, down: str
) -> None:
    # Given SES refuses the receipt (throttled, or down), or its claim cannot be made:
    # the message fails, nothing was sent and no claim stays
    registration = register(services)
    port: MemoryMailer | MemorySent = mailer if down == "mailer" else sent
    port.unavailable = True
    with pytest.raises(StorageUnavailable):
        notify.handle(services, receipt(registration), MAILBOX)
    assert (mailer.sent, sent.records) == ([], {})

    # When the queue delivers it again
    port.unavailable = False
    notify.handle(services, receipt(registration), MAILBOX)

    # Then the receipt goes, once
    assert len(mailer.sent) == 1


def test_an_email_sent_but_not_recorded_as_sent_is_not_sent_again(
    services: Services, mailer: MemoryMailer, sent: MemorySent
) -> None:
    # Given the receipt was claimed, sent, and recording it as sent failed
    registration = register(services)
    settle = sent.settle

    def failing_settle(key: str, state: str) -> None:
        raise StorageUnavailable("the records of sent e-mail are unavailable")

    sent.settle = failing_settle  # type: ignore[method-assign]
    notify.handle(services, receipt(registration), MAILBOX)
    sent.settle = settle  # type: ignore[method-assign]

    # When the message comes again
    notify.handle(services, receipt(registration), MAILBOX)

    # Then the claim kept it from going twice
    assert len(mailer.sent) == 1


def test_a_claim_left_by_a_stopped_attempt_is_not_sent_again(
    services: Services, mailer: MemoryMailer, sent: MemorySent, frozen_clock: FrozenClock
) -> None:
    # Given an attempt that claimed the receipt and was stopped before SES answered
    registration = register(services)
    key = notify.once_key(receipt(registration), "")
    assert sent.claim(key) is None

    # When the message comes again, while the attempt could still be sending and after
    frozen_clock.advance(seconds=10)
    notify.handle(services, receipt(registration), MAILBOX)
    frozen_clock.advance(minutes=5)
    notify.handle(services, receipt(registration), MAILBOX)

    # Then nothing is sent (the outcome is unknown: the alarm is raised instead)
    assert mailer.sent == []
    assert sent.records[key].state == "sending"
