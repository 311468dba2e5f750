"""EventBridge Scheduler expressions, evaluated the way Scheduler does, for the local stack.

Supported: ``cron(minutes hours day-of-month month day-of-week year)``, ``rate(N unit)`` and
``at(yyyy-mm-ddThh:mm:ss)``, each in the schedule's ``ScheduleExpressionTimezone``.

Cron fields take ``*``, ``?``, single values, lists (``1,15``), ranges (``MON-FRI``), steps
(``0/15``, ``*/5``) and names (``JAN``-``DEC``, ``SUN``-``SAT``); day-of-week counts 1 = SUN
to 7 = SAT. One of day-of-month and day-of-week must be ``?``. ``L``, ``W`` and ``#`` are not
supported (a ``ValueError`` says so) because no template uses them.

Daylight-saving time, as AWS documents for Scheduler: a wall time that does not exist (the
spring gap) is skipped; a wall time that occurs twice (the autumn repeat) fires once, at the
first occurrence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# How far ahead to look for the next match before giving up (e.g. ``cron(0 0 30 2 ? *)``).
_HORIZON_DAYS = 366 * 5


def _field(text: str, low: int, high: int, names: tuple[str, ...] = ()) -> frozenset[int]:
    def value(token: str) -> int:
        upper = token.upper()
        if upper in names:
            return names.index(upper) + low
        if not token.isdigit():
            raise ValueError(f"unsupported cron value {token!r} (L, W and # are not supported)")
        number = int(token)
        if not low <= number <= high:
            raise ValueError(f"cron value {number} outside {low}-{high}")
        return number

    allowed: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"cron step {step_text!r} must be positive")
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            first, last = base.split("-", 1)
            start, end = value(first), value(last)
        else:
            start = value(base)
            end = high if step_text else start
        allowed.update(range(start, end + 1, step))
    return frozenset(allowed)


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None  # None: "?"
    months: frozenset[int]
    days_of_week: frozenset[int] | None  # 1 = Sunday ... 7 = Saturday; None: "?"
    years: frozenset[int] | None  # None: every year

    @classmethod
    def parse(cls, fields: str) -> Cron:
        parts = fields.split()
        if len(parts) != 6:
            raise ValueError(f"cron needs 6 fields, got {len(parts)}: {fields!r}")
        minute, hour, dom, month, dow, year = parts
        if (dom == "?") == (dow == "?"):
            raise ValueError("cron: exactly one of day-of-month and day-of-week must be '?'")
        return cls(
            minutes=_field(minute, 0, 59),
            hours=_field(hour, 0, 23),
            days_of_month=None if dom == "?" else _field(dom, 1, 31),
            months=_field(month, 1, 12, _MONTHS),
            days_of_week=None if dow == "?" else _field(dow, 1, 7, _DAYS),
            years=None if year == "*" else _field(year, 1970, 2199),
        )

    def matches_day(self, day: dt.date) -> bool:
        if day.month not in self.months:
            return False
        if self.years is not None and day.year not in self.years:
            return False
        if self.days_of_month is not None:
            return day.day in self.days_of_month
        assert self.days_of_week is not None
        return (day.isoweekday() % 7) + 1 in self.days_of_week


def _exists(local: dt.datetime) -> bool:
    """False for a wall time in the spring gap (it does not survive a round trip)."""
    back = local.astimezone(dt.UTC).astimezone(local.tzinfo)
    return back.replace(tzinfo=None) == local.replace(tzinfo=None)


def _next_cron(cron: Cron, after: dt.datetime, zone: ZoneInfo) -> dt.datetime | None:
    local_after = after.astimezone(zone)
    day = local_after.date()
    for _ in range(_HORIZON_DAYS):
        if cron.matches_day(day):
            for hour in sorted(cron.hours):
                for minute in sorted(cron.minutes):
                    # fold=0: of an ambiguous autumn time, the first occurrence only.
                    local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                    if not _exists(local):
                        continue
                    moment = local.astimezone(dt.UTC)
                    if moment > after:
                        return moment
        day += dt.timedelta(days=1)
    return None


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
            return _next_cron(Cron.parse(body), after, zone)
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
