"""The staff session's rules without AWS: the sealed refresh cookie and when a renewal ends."""

from __future__ import annotations

import datetime as dt

from signin.session import IDLE, WORKING_DAY, Ended, Session, seal, unseal

START = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
SECRET = "x" * 64


def session(**changes: dt.datetime) -> Session:
    values = {"started": START, "token_expires": START + dt.timedelta(minutes=5)} | changes
    return Session(refresh_token="opaque-token", **values)


def test_a_sealed_session_opens_only_with_its_key_and_unchanged() -> None:
    value = seal(session(), SECRET)
    assert "opaque-token" not in value
    assert unseal(value, SECRET) == session()
    assert unseal(value, "y" * 64) is None
    assert unseal(value[:-2] + ("AA" if value[-2:] != "AA" else "BB"), SECRET) is None
    assert unseal("", SECRET) is None and unseal("not base64 !", SECRET) is None
    assert seal(session(), SECRET) != value  # a fresh nonce each time


def test_a_session_ends_after_thirty_idle_minutes_and_after_the_working_day() -> None:
    current = session()
    expired = current.token_expires
    assert current.ended(expired + IDLE) is None
    assert current.ended(expired + IDLE + dt.timedelta(seconds=1)) is Ended.IDLE
    busy = session(token_expires=START + WORKING_DAY - dt.timedelta(minutes=2))
    assert busy.ended(START + WORKING_DAY - dt.timedelta(seconds=1)) is None
    assert busy.ended(START + WORKING_DAY) is Ended.DAY_OVER


def test_the_refresh_cookie_lives_to_the_end_of_the_working_day() -> None:
    assert session().cookie_lifetime(START) == 36_000
    assert session().cookie_lifetime(START + dt.timedelta(hours=9)) == 3_600
    assert session().cookie_lifetime(START + dt.timedelta(hours=11)) == 0
