"""The weekly agenda: at the house's cut-off the agenda of the coming triage is fixed and
staff are told how many registrations it holds (a count and a link; no names)."""

from __future__ import annotations

import datetime as dt
import os

from vhcore import calendar, clock
from vhcore.dal import queues, registrations
from vhcore.errors import ConfigurationError
from vhcore.house import House, current_house
from vhcore.log import logger
from vhcore.logic.triage import queue_key

NOTIFY_QUEUE_ENV = "NOTIFY_QUEUE_URL"


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


def fix_agenda(now: dt.datetime | None = None) -> dict[str, object] | None:
    """Fix the agenda once (a repeated schedule changes nothing) and notify staff."""
    house = current_house()
    triage_date = closing_triage(now or clock.now(), house)
    if triage_date is None:
        logger.info("house has no weekly triage; no agenda to fix")
        return None
    entries = registrations.queue(queue_key(triage_date.isoformat()))
    fixed = registrations.put_agenda(
        triage_date.isoformat(),
        {
            "count": len(entries),
            "registration_ids": [str(e["pk"]).removeprefix("REG#") for e in entries],
            "fixed_at": (now or clock.now()).isoformat(timespec="seconds"),
        },
    )
    count = len(entries)
    if not fixed:
        agenda = registrations.get_agenda(triage_date.isoformat()) or {}
        if agenda.get("notified_at"):
            logger.info("agenda was already fixed", extra={"triage_date": triage_date.isoformat()})
            return None
        # Fixed, but telling staff failed last time (the scheduler retries): tell them now.
        count = int(agenda.get("count", 0))
    url = os.environ.get(NOTIFY_QUEUE_ENV)
    if not url:
        raise ConfigurationError(f"{NOTIFY_QUEUE_ENV} is not set")
    queues.send(url, {"kind": "agenda", "triage_date": triage_date.isoformat(), "count": count})
    registrations.mark_agenda_notified(
        triage_date.isoformat(), (now or clock.now()).isoformat(timespec="seconds")
    )
    logger.info("agenda fixed", extra={"triage_date": triage_date.isoformat(), "count": count})
    return {"triage_date": triage_date.isoformat(), "count": count}
