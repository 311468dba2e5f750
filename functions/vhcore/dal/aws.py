"""Boto3 clients, created on first use with short timeouts and standard retries.

Every client of the process comes from one session, those of Powertools' idempotency layer
and of the Encryption SDK too: a new session reads the endpoint rules and the service models
again, which costs about as much as the client itself on a cold start."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator
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
CONFIG = Config(
    connect_timeout=2, read_timeout=5, retries={"total_max_attempts": 3, "mode": "standard"}
)


# A session is not safe to create clients from in two threads at once (the local stack runs
# handlers in threads); everything that creates a client from it holds this lock.
LOCK = threading.RLock()


@cache
def botocore_session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def session() -> boto3.session.Session:
    return boto3.session.Session(botocore_session=botocore_session())


@cache
def client(service: str) -> Any:
    with LOCK:
        return session().client(service, config=CONFIG)  # type: ignore[call-overload]


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
