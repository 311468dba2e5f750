"""Schedules derived from a house's file: the EventBridge Scheduler expression of the weekly
triage cut-off, which `make deploy` passes to the stack as ``AgendaSchedule`` and the local
stack provisions the same way."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vhcore.house import TriageRhythm

# Scheduler's day-of-week names, in its order: 1 = SUN ... 7 = SAT.
DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


def weekly_cutoff(rhythm: TriageRhythm) -> str:
    """The Scheduler expression of a house's weekly cut-off (in the rhythm's time zone, the
    template's ``AgendaSchedule``); empty for a house without a weekly rhythm."""
    if rhythm.cutoff is None:
        return ""
    day = DAY_NAMES[(rhythm.cutoff.weekday.number + 1) % 7]  # Monday is 0 there, SUN first here
    time = rhythm.cutoff.time
    return f"cron({time.minute} {time.hour} ? * {day} *)"
