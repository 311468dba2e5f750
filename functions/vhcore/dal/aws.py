"""Boto3 clients, created on first use with short timeouts and standard retries.

Every client of the process comes from one session, those of Powertools' idempotency layer
and of the Encryption SDK too: a new session reads the endpoint rules and the service models
again, which costs about as much as the client itself on a cold start.

In AWS there is one session per process. The local stack runs several functions in one
process, each with the credentials of its own role: it installs a ``session_source`` that
gives the running function's session. Clients (and the idempotency layer and the key
providers built on a session) are cached per session, so each function gets its own."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from vhcore.errors import StorageUnavailable

# Three attempts in all (``total_max_attempts``; ``max_attempts`` would count retries only),
# the same as AWS_MAX_ATTEMPTS gives the clients libraries create (infra/template.yaml).
# Short timeouts: one call with every attempt and the back-off takes at most 3 x (1 s + 3 s)
# + 3 s = 15 s, inside every function's timeout (tests/infrastructure/test_timeouts.py). Every
# client of the process uses it: ours, the idempotency layer's and the Encryption SDK's.
CONFIG = Config(
    connect_timeout=1, read_timeout=3, retries={"total_max_attempts": 3, "mode": "standard"}
)


# A session is not safe to create clients from in two threads at once (the local stack runs
# handlers in threads); everything that creates a client from it holds this lock.
LOCK = threading.RLock()


SessionSource = Callable[[], botocore.session.Session]
# None in AWS: the process's one session. The local stack sets it (``set_session_source``).
_source: SessionSource | None = None


def set_session_source(source: SessionSource | None) -> None:
    """Where ``botocore_session`` takes the session from: ``source`` (the local stack, which
    gives each function its own credentials), or the process's one session (None)."""
    global _source  # noqa: PLW0603 - one switch for the whole process
    _source = source


@cache
def _process_botocore_session() -> botocore.session.Session:
    return botocore.session.get_session()


def botocore_session() -> botocore.session.Session:
    return _source() if _source is not None else _process_botocore_session()


@cache
def _session(core: botocore.session.Session) -> boto3.session.Session:
    return boto3.session.Session(botocore_session=core)


def session() -> boto3.session.Session:
    return _session(botocore_session())


@cache
def _client(on: boto3.session.Session, service: str) -> Any:
    with LOCK:
        return on.client(service, config=CONFIG)  # type: ignore[call-overload]


def client(service: str) -> Any:
    return _client(session(), service)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@dataclass
class Call:
    """What became of a call made in ``calling``: ``refused`` holds the error when the
    service answered with one of the codes the caller expects (a condition that did not
    hold, an execution that already exists); None when the call succeeded."""

    refused: ClientError | None = None


@contextmanager
def calling(action: str, *, expected: Collection[str] = ()) -> Iterator[Call]:
    """Translate the AWS SDK's failures into the domain's ``StorageUnavailable``: the one
    place where the data-access layer handles them. An error with an ``expected`` code is
    not a failure: it is kept in the ``Call`` for the caller to act on. The exception's
    message names ``action`` only, never the SDK's text (which may echo request data)."""
    call = Call()
    try:
        yield call
    except ClientError as exc:
        if error_code(exc) not in expected:
            raise StorageUnavailable(f"{action} failed") from exc
        call.refused = exc
    except BotoCoreError as exc:
        raise StorageUnavailable(f"{action} failed") from exc
