"""The calendar of a house: Dutch working days, response terms and triage dates.

Pure functions, no AWS. Every moment is interpreted and returned in Europe/Amsterdam; inputs
may be aware datetimes in any zone (the API sends UTC), naive datetimes are refused.

The rules, in one place (the site, the e-mails and the workflow all use these functions, so
what the house promises the registrant and what it reminds its staff of cannot drift apart):

Working days
    Monday to Friday, except the general holidays of the Algemene termijnenwet: New Year's Day,
    Easter Monday, Koningsdag (27 April, or Saturday 26 April when the 27th is a Sunday),
    Bevrijdingsdag (5 May, *every* year), Ascension Day, Whit Monday and both Christmas days.
    This is also the list of paid holidays in the CAO Gemeenten (Bevrijdingsdag every year
    since 2024) and for central government, under which a house's staff work. Good Friday is
    *not* a holiday here: the Atw does not list it and government offices are open. The dates
    are computed here and checked against the ``holidays`` library (public + optional,
    minus Good Friday) for 1990-2100 by the tests.

Terms ("within 5 working days", "within two weeks")
    A promise is a date, never a minute. The calendar day of receipt never counts, whatever
    the time or kind of day. Working days are counted from the day after receipt; calendar
    days and weeks are counted on the calendar (two weeks after Friday 18 December is Friday
    1 January) and, as the Algemene termijnenwet does, a term that ends on a Saturday, Sunday
    or general holiday moves to the next working day (Monday 4 January 2027). The promise
    lapses at the end of office hours, 17:00 Amsterdam time, on that day: ``respond_by`` is
    that moment, staff are reminded at 09:00 the house's ``remind_before`` working days before
    it and the escalation goes out when it has passed, and every text shows only the
    date ("uiterlijk maandag 4 januari 2027"). So a registration received on Friday at 09:00
    or 17:30, on Saturday or on Easter Monday all get "the 5th working day after that day".

What a house promises (``response_term.promises``)
    ``contact``: the term counts from receipt. ``triage_answer``: the house promises the
    triage's answer, so the term (the reply time) counts from the triage meeting the
    registration goes to; the promise is never before that meeting.

Triage date
    A registration strictly before the cut-off goes to the triage that follows that cut-off;
    at or after it (12:00:00 is too late for "vóór 12.00 uur") to the next week's. The cut-off
    of a triage day is the last cut-off weekday on or before it (Monday 12:00 for a Tuesday
    triage; the same day if both weekdays are equal). When the triage day is not a working
    day (Koningsdag, Christmas, Ascension) the meeting moves to the next working day; the
    cut-off moment does not move. Houses without a weekly rhythm get ``None`` ("te plannen").
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from vhcore.house import TIMEZONE, PromiseKind, TermUnit, Weekday

if TYPE_CHECKING:
    from vhcore.house import House, Term

AMSTERDAM = ZoneInfo(TIMEZONE)
END_OF_WORKING_DAY = dt.time(17, 0)
START_OF_WORKING_DAY = dt.time(9, 0)

_DUTCH_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


class NaiveDatetimeError(ValueError):
    """A datetime without a timezone was given: its moment is unknown, so it is refused."""


def to_local(moment: dt.datetime) -> dt.datetime:
    """The same moment on the Europe/Amsterdam wall clock; refuses naive datetimes."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetimeError(
            f"{moment.isoformat()} has no timezone; pass an aware datetime (e.g. in UTC)"
        )
    return moment.astimezone(AMSTERDAM)


# --- working days --------------------------------------------------------------------------


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@cache
def _holidays(year: int) -> frozenset[dt.date]:
    """The general holidays of one year (see the module notes), computed, not imported.

    Computed here because the ``holidays`` library loads all of its 250 countries on import
    (about 0.6 s), which every cold start of every function would pay. The tests compare this
    function with ``holidays`` for 1990-2100, so a change in the law that the library follows
    fails the build instead of drifting silently.
    """
    easter = easter_sunday(year)
    kings_day = dt.date(year, 4, 27)
    if kings_day.weekday() == 6:  # Sunday: celebrated on Saturday 26 April
        kings_day = dt.date(year, 4, 26)
    return frozenset(
        {
            dt.date(year, 1, 1),  # Nieuwjaarsdag
            easter + dt.timedelta(days=1),  # Tweede paasdag
            kings_day,  # Koningsdag (since 2014; 30 April before)
            dt.date(year, 5, 5),  # Bevrijdingsdag
            easter + dt.timedelta(days=39),  # Hemelvaartsdag
            easter + dt.timedelta(days=50),  # Tweede pinksterdag
            dt.date(year, 12, 25),  # Eerste kerstdag
            dt.date(year, 12, 26),  # Tweede kerstdag
        }
    )


def is_holiday(day: dt.date) -> bool:
    """True on a Dutch general holiday as this module counts them (see the module notes)."""
    return day in _holidays(day.year)


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a general holiday."""
    return day.weekday() < 5 and not is_holiday(day)


def next_working_day(day: dt.date) -> dt.date:
    """The first working day strictly after ``day``."""
    day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _working_day_on_or_after(day: dt.date) -> dt.date:
    return day if is_working_day(day) else next_working_day(day)


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``day`` (``day`` itself never counts)."""
    if count < 0:
        raise ValueError(f"count must not be negative, got {count}")
    for _ in range(count):
        day = next_working_day(day)
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """The working days after ``start`` up to and including ``end`` (``start`` itself never
    counts, as in a term); negative when ``end`` lies before ``start``. From Friday to the
    next Monday is 1; from a day to itself 0."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count


# --- terms ---------------------------------------------------------------------------------


def add_term(start: dt.datetime, term: Term) -> dt.datetime:
    """The end of ``term`` counted from the day of ``start``: 17:00 Amsterdam time on a
    working day (see the module notes). Compare or store results as instants."""
    day = to_local(start).date()
    match term.unit:
        case TermUnit.WORKING_DAYS:
            day = add_working_days(day, term.amount)
        case TermUnit.CALENDAR_DAYS:
            day = _working_day_on_or_after(day + dt.timedelta(days=term.amount))
        case TermUnit.WEEKS:
            day = _working_day_on_or_after(day + dt.timedelta(weeks=term.amount))
    return end_of_day(day)


def end_of_day(day: dt.date) -> dt.datetime:
    """The moment a promise for ``day`` lapses: 17:00 on the Amsterdam clock."""
    return dt.datetime.combine(day, END_OF_WORKING_DAY, tzinfo=AMSTERDAM)


def respond_by(received_at: dt.datetime, house: House, *, urgent: bool = False) -> dt.datetime:
    """The end of the day by which the house promised to respond: the response term from
    receipt, or for a house promising the triage's answer from the triage meeting. An urgent
    registration gets the house's urgent term from receipt (it can go to an extra triage)."""
    if urgent:
        return add_term(received_at, house.follow_up.urgent_term)
    term = house.response_term
    if term.promises is PromiseKind.TRIAGE_ANSWER:
        triage = triage_date(received_at, house)
        if triage is None:  # refused by House validation; kept for a clear error
            raise ValueError(f"{house.id}: promises the triage's answer but has no triage day")
        return add_term(end_of_day(triage), term)
    return add_term(received_at, term)


def previous_working_day(day: dt.date) -> dt.date:
    """The last working day strictly before ``day``."""
    day -= dt.timedelta(days=1)
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def reminder_at(lapses: dt.datetime, house: House) -> dt.datetime:
    """When staff are reminded of a promise that lapses at ``lapses``: at 09:00 Amsterdam time,
    the house's ``remind_before`` working days before the day it lapses."""
    day = to_local(lapses).date()
    for _ in range(house.follow_up.remind_before):
        day = previous_working_day(day)
    return dt.datetime.combine(day, START_OF_WORKING_DAY, tzinfo=AMSTERDAM)


def decision_due(triage: dt.date, house: House) -> dt.datetime:
    """When the decision on a case is due for a house that promises contact: the house's
    ``decide_within`` after the triage meeting it was discussed at."""
    return add_term(end_of_day(triage), house.follow_up.decide_within)


# --- triage --------------------------------------------------------------------------------


def triage_date(received_at: dt.datetime, house: House) -> dt.date | None:
    """The triage meeting a registration is discussed at; None when the house plans by hand."""
    rhythm = house.triage
    if rhythm.weekly is None or rhythm.cutoff is None:
        return None
    local = to_local(received_at)
    cutoff_offset = (rhythm.weekly.number - rhythm.cutoff.weekday.number) % 7
    # The first regular triage day on or after the day of receipt; its cut-off may already
    # have passed (a Tuesday-morning registration for a Tuesday triage), then the next one.
    triage = local.date() + dt.timedelta(days=(rhythm.weekly.number - local.weekday()) % 7)
    cutoff = dt.datetime.combine(
        triage - dt.timedelta(days=cutoff_offset), rhythm.cutoff.time, tzinfo=AMSTERDAM
    )
    if local >= cutoff:
        triage += dt.timedelta(days=7)
    return _working_day_on_or_after(triage)


# --- Dutch dates for the site and e-mails ----------------------------------------------------


def dutch_date(value: dt.date) -> str:
    """'dinsdag 1 december 2026'. An aware datetime is first put on the Amsterdam clock."""
    day = to_local(value).date() if isinstance(value, dt.datetime) else value
    weekday = list(Weekday)[day.weekday()].dutch
    return f"{weekday} {day.day} {_DUTCH_MONTHS[day.month - 1]} {day.year}"


def dutch_datetime(value: dt.datetime) -> str:
    """'dinsdag 1 december 2026 om 17.00 uur', on the Amsterdam clock."""
    local = to_local(value)
    return f"{dutch_date(local)} om {local.hour}.{local.minute:02d} uur"


def is_triage_day(day: dt.date, house: House) -> bool:
    """True when the house holds its regular triage on ``day``: its weekday, or the working
    day a holiday moved it to. Every day is one for a house without a weekly rhythm."""
    weekly = house.triage.weekly
    if weekly is None:
        return True
    regular = day - dt.timedelta(days=(day.weekday() - weekly.number) % 7)
    return _working_day_on_or_after(regular) == day


def next_triage_day(day: dt.date, house: House) -> dt.date:
    """The first regular triage day on or after ``day`` (``day`` itself for a house without
    a weekly rhythm, when it is a working day)."""
    day = _working_day_on_or_after(day)
    while not is_triage_day(day, house):
        day = next_working_day(day)
    return day


def triage_day_refused(day: dt.date, house: House, *, extra: bool, urgent: bool) -> str | None:
    """Why a case cannot be placed on the triage of ``day`` in this house (a Dutch sentence),
    or None: in a house with a weekly triage only on its triage day, unless it is an extra
    triage for an urgent registration, explicitly asked for."""
    weekly = house.triage.weekly
    if weekly is None or (is_triage_day(day, house) and not extra):
        return None
    if not urgent:
        return (
            f"Kies een {weekly.dutch}: dan is de triage. Een extra triage op een andere dag "
            "kan alleen voor een spoedaanmelding."
        )
    if not extra:
        return (
            f"Dit is geen {weekly.dutch}. Kies een {weekly.dutch}, of kies voor een extra "
            "triage (alleen voor spoed)."
        )
    return None


def schedulable(day: dt.date, today: dt.date) -> str | None:
    """Why a triage cannot be held on ``day`` (a Dutch sentence), or None when it can: not in
    the past, not in a weekend, not on a public holiday. A case scheduled on such a day would
    fall off every list staff look at."""
    if day < today:
        return "Kies een datum vanaf vandaag."
    if not is_working_day(day):
        return "Kies een werkdag: geen weekend en geen feestdag."
    return None
