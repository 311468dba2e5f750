"""The weekly agenda: fixed once at the house's cut-off, staff told how many (no names)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.unit.logic.conftest import FrozenClock
from tests.unit.logic.support import AMS, MONDAY, THURSDAY_TRIAGE, register, with_ports
from vhcore.dal.memory import MemoryOutbox, MemoryStore
from vhcore.errors import StorageUnavailable
from vhcore.house import House, current_house
from vhcore.logic import agenda, triage
from vhcore.logic.agenda import send_digest
from vhcore.messages_queue import NotifyMessage
from vhcore.model import AgendaRecord
from vhcore.ports import Services

CUTOFF = dt.datetime(2026, 11, 25, 12, 0, tzinfo=AMS)  # Wednesday noon, before Thursday


@dataclass
class UnreachableOutbox(MemoryOutbox):
    """The notify queue refuses the next ``failures`` messages."""

    failures: int = 1

    def notify(self, message: NotifyMessage) -> None:
        if self.failures:
            self.failures -= 1
            raise StorageUnavailable("the notify queue is unavailable")
        super().notify(message)


def on_the_queue(services: Services, now: dt.datetime) -> str:
    registration = register(services, now)
    triage.enqueue(services, registration.id)
    return registration.id


def agenda_message(
    triage_date: dt.date, count: int, fixed_at: dt.datetime = CUTOFF
) -> NotifyMessage:
    """The message telling staff of an agenda, named by when it was fixed: the same for a
    retry of the schedule, so staff get one e-mail."""
    return NotifyMessage(
        kind="agenda",
        triage_date=triage_date.isoformat(),
        count=count,
        message_id=f"fixed-{int(fixed_at.timestamp())}",
    )


@pytest.mark.parametrize(
    ("now", "closing"),
    [
        (CUTOFF, THURSDAY_TRIAGE),
        (CUTOFF + dt.timedelta(hours=20), THURSDAY_TRIAGE),
        (CUTOFF - dt.timedelta(minutes=1), dt.date(2026, 11, 19)),
        (dt.datetime(2026, 5, 13, 12, 0, tzinfo=AMS), dt.date(2026, 5, 15)),
        (dt.datetime(2025, 12, 24, 12, 0, tzinfo=AMS), dt.date(2025, 12, 29)),
    ],
    ids=["at-the-cutoff", "the-day-after", "a-minute-before", "ascension-day", "christmas"],
)
def test_the_closing_triage_is_the_one_of_the_latest_cutoff(
    now: dt.datetime, closing: dt.date
) -> None:
    # Given the default house: triage on Thursday, cut-off on Wednesday at noon
    house = current_house()

    # When it is asked which triage's agenda closed last
    # Then it is that of the latest cut-off, moved past holidays as the triage itself is
    assert agenda.closing_triage(now, house) == closing


def test_at_the_cutoff_the_agenda_is_fixed_and_staff_are_told_how_many(
    services: Services, store: MemoryStore, outbox: MemoryOutbox
) -> None:
    # Given two registrations for Thursday and one that came in after the cut-off
    for_thursday = [on_the_queue(services, MONDAY + dt.timedelta(hours=h)) for h in (0, 1)]
    on_the_queue(services, CUTOFF + dt.timedelta(minutes=5))

    # When the cut-off passes
    fixed = agenda.fix_agenda(services, CUTOFF.replace(microsecond=500))

    # Then Thursday's agenda holds the two, and staff are told the count (no names)
    assert fixed is not None
    assert fixed == AgendaRecord(
        triage_date=THURSDAY_TRIAGE,
        count=2,
        registration_ids=tuple(for_thursday),
        fixed_at=CUTOFF,
        expires_at=fixed.expires_at,
    )
    # (it lists ids: it expires with the longest an undecided case is kept)
    assert dt.datetime.fromtimestamp(fixed.expires_at, dt.UTC) > CUTOFF + dt.timedelta(days=365)
    assert outbox.sent == [agenda_message(THURSDAY_TRIAGE, 2)]
    assert store.agendas[THURSDAY_TRIAGE] == fixed.model_copy(update={"notified_at": CUTOFF})


def test_an_agenda_is_fixed_once_a_repeated_schedule_changes_nothing(
    services: Services, store: MemoryStore, outbox: MemoryOutbox
) -> None:
    # Given Thursday's agenda was fixed and staff were told
    on_the_queue(services, MONDAY)
    agenda.fix_agenda(services, CUTOFF)
    fixed = dict(store.agendas)

    # When the scheduler runs again, later that day
    again = agenda.fix_agenda(services, CUTOFF + dt.timedelta(hours=1))

    # Then there was nothing to do, and staff are not told twice
    assert again is None
    assert store.agendas == fixed
    assert outbox.sent == [agenda_message(THURSDAY_TRIAGE, 1)]


def test_when_telling_staff_failed_the_retry_tells_them_about_the_agenda_as_fixed(
    services: Services, store: MemoryStore
) -> None:
    # Given the agenda was fixed with one registration, but the notify queue was unreachable
    outbox = UnreachableOutbox(failures=1)
    flaky = with_ports(services, outbox=outbox)
    on_the_queue(flaky, MONDAY)
    with pytest.raises(StorageUnavailable):
        agenda.fix_agenda(flaky, CUTOFF)
    assert store.agendas[THURSDAY_TRIAGE].notified_at is None
    # and meanwhile another registration reached Thursday's queue
    on_the_queue(flaky, MONDAY + dt.timedelta(hours=1))

    # When the scheduler retries
    retried = CUTOFF + dt.timedelta(minutes=5)
    fixed = agenda.fix_agenda(flaky, retried)

    # Then staff are told about the agenda as it was fixed, once
    assert fixed is not None
    assert (fixed.count, fixed.fixed_at) == (1, CUTOFF)
    assert outbox.sent == [agenda_message(THURSDAY_TRIAGE, 1)]
    assert store.agendas[THURSDAY_TRIAGE].notified_at == retried


def test_an_empty_agenda_is_fixed_and_staff_are_told_there_is_nothing(
    services: Services, outbox: MemoryOutbox, frozen_clock: FrozenClock
) -> None:
    # Given no registrations, and the domain's clock at the cut-off
    frozen_clock.moment = CUTOFF

    # When the scheduler runs without a moment
    fixed = agenda.fix_agenda(services)

    # Then an empty agenda is fixed now, and staff are told so
    assert fixed is not None
    assert (fixed.triage_date, fixed.count, fixed.registration_ids) == (THURSDAY_TRIAGE, 0, ())
    assert fixed.fixed_at == CUTOFF
    assert outbox.sent == [agenda_message(THURSDAY_TRIAGE, 0)]


def test_a_house_without_a_weekly_triage_has_no_agenda_to_fix(
    services: Services,
    store: MemoryStore,
    outbox: MemoryOutbox,
    use_house: Callable[[str], House],
) -> None:
    # Given a house that plans by hand, with a registration to be planned
    house = use_house("sittard")
    on_the_queue(services, MONDAY)

    # When the scheduler runs
    fixed = agenda.fix_agenda(services, CUTOFF)

    # Then nothing is fixed and nobody is told
    assert agenda.closing_triage(CUTOFF, house) is None
    assert fixed is None
    assert store.agendas == {}
    assert outbox.sent == []


# --- the daily digest of new registrations ---------------------------------------------------


def test_the_daily_digest_names_yesterdays_registrations_once_per_working_day(
    services: Services, use_house: Callable[[str], House], outbox: MemoryOutbox
) -> None:
    use_house("sittard")  # announce: daily
    friday = dt.datetime(2026, 11, 27, 15, 0, tzinfo=AMS)
    saturday = dt.datetime(2026, 11, 28, 11, 0, tzinfo=AMS)
    monday_late = dt.datetime(2026, 11, 30, 9, 0, tzinfo=AMS)
    early, weekend, late = (
        register(services, moment) for moment in (friday, saturday, monday_late)
    )
    message = send_digest(services, dt.datetime(2026, 11, 30, 8, 0, tzinfo=AMS))
    assert message is not None
    assert message.references == tuple(sorted((early.reference, weekend.reference)))
    assert late.reference not in (message.references or ())
    assert message.message_id == "digest/2026-11-30"
    assert outbox.sent == [message]
    # No digest on a holiday, none in a house that announces each registration
    assert send_digest(services, dt.datetime(2026, 12, 25, 8, 0, tzinfo=AMS)) is None
    use_house("voorbeeldregio")
    assert send_digest(services, dt.datetime(2026, 12, 1, 8, 0, tzinfo=AMS)) is None
