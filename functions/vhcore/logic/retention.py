"""When a registration's data is deleted: from the house's retention periods."""

from __future__ import annotations

import datetime as dt

from vhcore.house import House


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(
        moment.day,
        [
            31,
            29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ][month - 1],
    )
    return moment.replace(year=year, month=month, day=day)


def expires_at(house: House, since: dt.datetime, *, taken_on: bool | None) -> int:
    """Epoch seconds for DynamoDB TTL. ``taken_on`` None (no decision yet): the house's period
    for undecided cases (by default the longer of the two)."""
    retention = house.retention
    if taken_on is None:
        months = retention.undecided
    else:
        months = retention.taken_on_months if taken_on else retention.not_taken_on_months
    return int(add_months(since, months).timestamp())
