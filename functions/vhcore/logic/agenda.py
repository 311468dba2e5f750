"""The weekly agenda: at the house's cut-off the agenda of the coming triage is fixed and
staff are told how many registrations it holds (a count and a link; no names)."""

from __future__ import annotations

import datetime as dt

from vhcore import calendar, clock
from vhcore.house import Announce, House, current_house
from vhcore.log import logger
from vhcore.logic.retention import add_months
from vhcore.messages_queue import NotifyMessage
from vhcore.model import AgendaRecord
from vhcore.ports import Services
from vhcore.status import Status


def closing_triage(now: dt.datetime, house: House) -> dt.date | None:
    """The triage whose cut-off is the latest one at or before ``now``."""
    rhythm = house.triage
    if rhythm.weekly is None or rhythm.cutoff is None:
        return None
    local = calendar.to_local(now)
    days_back = (local.weekday() - rhythm.cutoff.weekday.number) % 7
    cutoff_day = local.date() - dt.timedelta(days=days_back)
    cutoff = dt.datetime.combine(cutoff_day, rhythm.cutoff.time, tzinfo=calendar.AMSTERDAM)
    if cutoff > local:
        cutoff -= dt.timedelta(days=7)
    return calendar.triage_date(cutoff - dt.timedelta(seconds=1), house)


def fix_agenda(services: Services, now: dt.datetime | None = None) -> AgendaRecord | None:
    """Fix the agenda once (a repeated schedule changes nothing) and notify staff. The
    agenda as fixed, or None when there was nothing (more) to do."""
    moment = (now or clock.now()).replace(microsecond=0)
    house = current_house()
    triage_date = closing_triage(moment, house)
    if triage_date is None:
        logger.info("house has no weekly triage; no agenda to fix")
        return None
    queued = services.store.queue(triage_date.isoformat())
    agenda = AgendaRecord(
        triage_date=triage_date,
        count=len(queued),
        registration_ids=tuple(r.id for r in queued),
        fixed_at=moment,
        # It lists ids: kept no longer than an undecided case itself.
        expires_at=int(add_months(moment, house.retention.undecided).timestamp()),
    )
    if not services.store.fix_agenda(agenda):
        fixed = services.store.agenda(triage_date)
        if fixed is None or fixed.notified_at is not None:
            logger.info("agenda was already fixed", extra={"triage_date": triage_date.isoformat()})
            return None
        # Fixed, but telling staff failed last time (the scheduler retries): tell them now.
        agenda = fixed
    services.outbox.notify(
        NotifyMessage(
            kind="agenda",
            triage_date=triage_date.isoformat(),
            count=agenda.count,
            # The same when the scheduler retries after only recording it failed: one e-mail.
            message_id=f"fixed-{int(agenda.fixed_at.timestamp())}",
        )
    )
    services.store.mark_agenda_notified(triage_date, moment)
    logger.info(
        "agenda fixed", extra={"triage_date": triage_date.isoformat(), "count": agenda.count}
    )
    return agenda


DIGEST_TIME = dt.time(8, 0)


def digest_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """What the digest of working day ``day`` covers: from 08:00 on the working day before
    it until 08:00 on ``day`` (a Monday's digest holds the weekend, a day after a holiday the
    holiday)."""
    start = calendar.previous_working_day(day)
    return (
        dt.datetime.combine(start, DIGEST_TIME, tzinfo=calendar.AMSTERDAM),
        dt.datetime.combine(day, DIGEST_TIME, tzinfo=calendar.AMSTERDAM),
    )


def send_digest(services: Services, now: dt.datetime | None = None) -> NotifyMessage | None:
    """The daily digest of new registrations (house setting ``follow_up.announce: daily``):
    on a working day, one e-mail to the staff mailbox with the count and the references (no
    personal data), named after the day so a retried run sends it once. None when the house
    announces each registration instead, or on a day that is not a working day."""
    house = current_house()
    if house.follow_up.announce is not Announce.DAILY:
        return None
    day = calendar.to_local(now or clock.now()).date()
    if not calendar.is_working_day(day):
        return None
    found = services.store.in_status(Status, received=digest_window(day))
    references = tuple(sorted(r.reference for r in found))
    message = NotifyMessage(
        kind="digest",
        day=day.isoformat(),
        references=references,
        message_id=f"digest/{day.isoformat()}",
    )
    services.outbox.notify(message)
    logger.info("digest queued", extra={"count": len(references)})
    return message
