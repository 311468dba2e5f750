"""Fixtures shared by every layer of tests."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from devstack.stack import LocalSystem

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
os.environ.setdefault("VH_HOUSE", "voorbeeldregio")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
# vhcore.log's Metrics is created (below, for the suite's log) before the local stack sets the
# template's namespace; without one, the 100th value of a metric in a process (a buffer
# Powertools flushes even with metrics disabled) fails the request that adds it.
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "local-tests")


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the local gateway serves the site from (built only by tests that need it)."""
    return tmp_path_factory.mktemp("site") / "voorbeeldregio"


@pytest.fixture(scope="session")
def built_site(site_dir: Path) -> Path:
    """The public site for the default house, built once per test session."""
    from devstack.stack import build_site

    return build_site("voorbeeldregio", site_dir)


@pytest.fixture(scope="session")
def local_system(site_dir: Path) -> Iterator[LocalSystem]:
    """The same local stack as ``make dev``: moto server, resources from the template,
    the real handlers behind the local gateway, the site on the same origin, the ``/dev/``
    pages. The event pump does not run in the background here: tests call
    ``local_system.pump.drain()`` where they expect queues and streams to be processed.
    The rate rules and throttles are off (the suite sends far more from one address than a
    client would); tests of the limits switch them on: ``gateway.limits.enforcing()``."""
    from devstack.stack import LocalSystem

    with LocalSystem(house="voorbeeldregio", site_dir=site_dir, dev=True, limits=False) as system:
        system.pump.event_taps.append(
            lambda function, event: SUITE_EVENTS.append(json.dumps(event, default=str))
        )
        yield system
        # Subject and body: the receipt is of course addressed to the registrant.
        SUITE_MAILS.extend(f"{m.subject}\n{m.body}" for m in system.outbox())


@pytest.fixture
def restore_clock(local_system: LocalSystem) -> Iterator[None]:
    """For tests that move the simulated clock (``local_system.clock.advance``): afterwards
    it is put back where the test found it, so later tests see the time they expect."""
    before = local_system.clock.offset()
    yield
    local_system.clock.reset(before)


def still_valid(token: str, margin: float = 60) -> bool:
    """Whether a token is valid now and for at least ``margin`` more seconds on the
    simulated clock (the gateway's JWT authorizer reads that clock; a test that put the clock
    back leaves tokens issued in its future, which are not valid yet)."""
    import base64

    from vhcore import clock

    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    now = clock.now().timestamp()
    return float(claims["iat"]) <= now < float(claims["exp"]) - margin


@pytest.fixture(scope="session")
def staff_tokens(local_system: LocalSystem) -> Callable[[str], dict[str, Any]]:
    """group -> the tokens its dev user gets by signing in through the local hosted login
    (``id_token``, ``access_token``, ...), kept per group while they are valid (five minutes
    on the simulated clock, as the template's client says; signed in again after that). The
    admin function's session cookie holds one of them; send it as ``Authorization: Bearer
    <token>`` or as the ``__Host-vh-session`` cookie."""
    from devstack.loginpage import code_flow_tokens

    signed_in: dict[str, dict[str, Any]] = {}

    def tokens(group: str) -> dict[str, Any]:
        if group not in signed_in or not still_valid(signed_in[group]["id_token"]):
            username, password = local_system.staff_users[group]
            client_id = local_system.stack.physical["StaffClient"].ref
            signed_in[group] = code_flow_tokens(local_system.url, client_id, username, password)
        return signed_in[group]

    return tokens


@pytest.fixture(scope="session")
def forge_staff_token(
    staff_tokens: Callable[[str], dict[str, Any]],
) -> Callable[..., str]:
    """A token signed with the emulator's own key (valid signature), made from the claims of a
    dev user's real token with changes: ``forge_staff_token("triage", exp=0)`` is an expired
    one, ``aud="another-client"`` one for the wrong audience. ``kind`` is "id" or "access"."""
    import base64

    from joserfc import jwt
    from joserfc.jwk import RSAKey
    from moto.utilities.utils import load_resource

    key = RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))

    def forge(group: str, kind: str = "id", **changes: Any) -> str:
        payload = staff_tokens(group)[f"{kind}_token"].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return jwt.encode({"alg": "RS256", "kid": "dummy"}, {**claims, **changes}, key)

    return forge


class SuiteLog(logging.Handler):
    """Every structured log line the product writes during the test session."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


SUITE_LOG = SuiteLog()
# Every event the local stack's handlers received, and every e-mail it sent.
SUITE_EVENTS: list[str] = []
SUITE_MAILS: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def suite_log() -> Iterator[SuiteLog]:
    """Captures the product's logs, formatted as Powertools formats them in Lambda."""
    from vhcore.log import logger

    SUITE_LOG.setFormatter(logger.registered_formatter)
    logger._logger.addHandler(SUITE_LOG)
    yield SUITE_LOG
    logger._logger.removeHandler(SUITE_LOG)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No test may make the product log a personal value: checked over the whole suite."""
    from tests.factories import PERSONAL_VALUES

    places = {
        "logs": SUITE_LOG.text,
        "queue messages and stream records": "\n".join(SUITE_EVENTS),
        "e-mails": "\n".join(SUITE_MAILS),
    }
    for place, text in places.items():
        leaked = [value for value in PERSONAL_VALUES.values() if value in text]
        if leaked:
            print(f"\nPersonal data reached the {place} during the suite: {len(leaked)} value(s)")
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """A function reads its settings once per process; tests change them (monkeypatched
    environment variables), so each test and what follows it reads them anew."""
    from vhcore.settings import settings

    settings.cache_clear()
    yield
    settings.cache_clear()
