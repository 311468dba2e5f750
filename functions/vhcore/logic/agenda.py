"""The weekly agenda: at the house's cut-off the agenda of the coming triage is fixed and
staff are told how many registrations it holds (a count and a link; no names)."""

from __future__ import annotations

import datetime as dt

from vhcore import calendar, clock
from vhcore.house import House, current_house
from vhcore.log import logger
from vhcore.logic.retention import add_months
from vhcore.messages_queue import NotifyMessage
from vhcore.model import AgendaRecord
from vhcore.ports import Services


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
