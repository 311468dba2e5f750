"""EventBridge Scheduler expressions, evaluated the way Scheduler does, for the local stack.

Supported: ``cron(minutes hours day-of-month month day-of-week year)``, ``rate(N unit)`` and
``at(yyyy-mm-ddThh:mm:ss)``, each in the schedule's ``ScheduleExpressionTimezone``.

Cron fields are matched by croniter (a well-kept library; AWS's six fields become croniter's
seven with a zero seconds field in front): ``*``, ``?``, values, lists, ranges, steps, names,
``L`` and ``nW`` in day-of-month, ``n#k`` and ``nL`` in day-of-week. What AWS has and
croniter does not is translated or refused here: day-of-week counts 1 = SUN to 7 = SAT in AWS
(0 = SUN in croniter); exactly one of day-of-month and day-of-week must be ``?``; ``LW`` and
years after 2099 are refused (a ``ValueError``).

Daylight-saving time, as AWS documents for Scheduler: a wall time that does not exist (the
spring gap) is skipped; a wall time that occurs twice (the autumn repeat) fires once, at the
first occurrence. croniter walks the wall clock without a time zone; those two rules are
applied here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from croniter import CroniterBadDateError, croniter

# How many years ahead to look for the next match before giving up (``cron(0 0 30 2 ? *)``).
_HORIZON_YEARS = 5
# Candidates skipped at most for the spring gap or an earlier moment (one a minute for an hour).
_MAX_SKIPPED = 120
_NUMBER = re.compile(r"\d+")


def _weekday(match: re.Match[str]) -> str:
    number = int(match.group())
    if not 1 <= number <= 7:
        raise ValueError(f"cron day-of-week {number} outside 1-7")
    return str(number - 1)


def _croniter_day_of_week(field: str) -> str:
    """AWS's day-of-week field (1 = SUN ... 7 = SAT) in croniter's terms (0 = SUN)."""
    parts = []
    for part in field.split(","):
        if part == "L":  # the last day of the week
            parts.append("6")
        elif part.endswith("L"):  # nL: the last such weekday of the month
            parts.append("L" + _NUMBER.sub(_weekday, part[:-1]))
        elif "#" in part:  # n#k: the k-th such weekday of the month
            day, _, nth = part.partition("#")
            parts.append(_NUMBER.sub(_weekday, day) + "#" + nth)
        else:  # values, ranges and steps: the step is a count, not a day
            base, slash, step = part.partition("/")
            parts.append(_NUMBER.sub(_weekday, base) + slash + step)
    return ",".join(parts)


def croniter_expression(fields: str) -> str:
    """AWS's six cron fields as croniter's seven (seconds first, 0)."""
    parts = fields.split()
    if len(parts) != 6:
        raise ValueError(f"cron needs 6 fields, got {len(parts)}: {fields!r}")
    minute, hour, dom, month, dow, year = parts
    if (dom == "?") == (dow == "?"):
        raise ValueError("cron: exactly one of day-of-month and day-of-week must be '?'")
    if dow != "?":
        dow = _croniter_day_of_week(dow)
    expression = f"0 {minute} {hour} {dom} {month} {dow} {year}"
    if not croniter.is_valid(expression, second_at_beginning=True):
        raise ValueError(f"cron expression not supported locally: {fields!r}")
    return expression


def _exists(local: dt.datetime) -> bool:
    """False for a wall time in the spring gap (it does not survive a round trip)."""
    back = local.astimezone(dt.UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def _next_cron(fields: str, after: dt.datetime, zone: ZoneInfo) -> dt.datetime | None:
    wall_times = croniter(
        croniter_expression(fields),
        after.astimezone(zone).replace(tzinfo=None),
        ret_type=dt.datetime,
        second_at_beginning=True,
        max_years_between_matches=_HORIZON_YEARS,
    )
    try:
        for _ in range(_MAX_SKIPPED):
            wall: dt.datetime = wall_times.get_next(dt.datetime)
            # fold=0: of an ambiguous autumn time, the first occurrence only.
            local = wall.replace(tzinfo=zone)
            if not _exists(local):
                continue
            moment = local.astimezone(dt.UTC)
            if moment > after:
                return moment
    except CroniterBadDateError:
        return None
    raise ValueError(f"cron({fields}): no moment found after {after.isoformat()}")


_RATE_UNITS = {
    "minute": 60,
    "minutes": 60,
    "hour": 3600,
    "hours": 3600,
    "day": 86400,
    "days": 86400,
}


@dataclass(frozen=True)
class ScheduleExpression:
    """A parsed Scheduler expression with its time zone; ``next_after`` gives UTC moments."""

    expression: str
    timezone: str = "UTC"
    start: dt.datetime | None = None  # rate() counts from here (Scheduler's StartDate)

    def next_after(self, after: dt.datetime) -> dt.datetime | None:
        """The first moment strictly after ``after`` (aware) at which the schedule fires, in
        UTC, whole minutes; None when it never fires again."""
        if after.tzinfo is None:
            raise ValueError("next_after needs an aware datetime")
        after = after.astimezone(dt.UTC)
        zone = ZoneInfo(self.timezone)
        kind, _, rest = self.expression.strip().partition("(")
        body = rest.rstrip(")").strip()
        if kind == "cron":
            return _next_cron(body, after, zone)
        if kind == "at":
            local = dt.datetime.fromisoformat(body).replace(tzinfo=zone)
            moment = local.astimezone(dt.UTC)
            return moment if moment > after else None
        if kind == "rate":
            amount_text, unit = body.split()
            seconds = int(amount_text) * _RATE_UNITS[unit]
            if seconds <= 0:
                raise ValueError(f"rate must be positive: {self.expression!r}")
            origin = (self.start or after).astimezone(dt.UTC).replace(second=0, microsecond=0)
            if origin > after:
                return origin
            periods = int((after - origin).total_seconds() // seconds) + 1
            return origin + dt.timedelta(seconds=periods * seconds)
        raise ValueError(f"unsupported schedule expression {self.expression!r}")
