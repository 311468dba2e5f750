"""Idempotency records (Powertools) in their own DynamoDB table: the same submission, or
without a submission id the same content, gives the same answer and stores nothing new. The
same submission id with other content is refused (``SubmissionChanged``): Powertools keeps a
hash of the content with the record and checks a repeat against it.

Powertools' idempotency package imports boto3 (for its DynamoDB layer) as soon as any part of
it is imported, so this module imports it on first use: a request refused before anything is
stored (413, 415, 422) is answered without loading the AWS SDK."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Protocol, TypedDict

from vhcore.errors import StorageUnavailable, SubmissionChanged
from vhcore.log import logger
from vhcore.registration import RegistrationAccepted

if TYPE_CHECKING:
    import boto3.session
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
    )
    from aws_lambda_powertools.utilities.typing import LambdaContext

WINDOW_SECONDS = 24 * 3600  # a retry the next morning still finds the first answer
# A duplicate that arrives while the first is still being stored waits for its answer.
IN_PROGRESS_WAIT_SECONDS = 0.1
IN_PROGRESS_MAX_WAIT_SECONDS = 6.0

Work = Callable[[], RegistrationAccepted]
# The answer of work done in this call, for when only the idempotency record's completion
# fails afterwards.
_done: contextvars.ContextVar[RegistrationAccepted | None] = contextvars.ContextVar(
    "done", default=None
)


@cache
def config() -> IdempotencyConfig:
    """One configuration per process (it also carries the Lambda context, for the time
    left when a record is saved)."""
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        # The record's key is the hash of ``key`` alone (as when the data was that string),
        # and a repeat whose ``content`` differs raises IdempotencyValidationError.
        event_key_jmespath="key",
        payload_validation_jmespath="content",
        expires_after_seconds=WINDOW_SECONDS,
        hash_function="sha256",
        raise_on_no_idempotency_key=True,
    )


def register_lambda_context(context: LambdaContext) -> None:
    config().register_lambda_context(context)


def persistence_layer(table_name: str) -> DynamoDBPersistenceLayer:
    """The layer on the process's session (``dal.aws``: one per function locally)."""
    from vhcore.dal import aws

    return _persistence_layer(table_name, aws.session())


@cache
def _persistence_layer(table_name: str, session: boto3.session.Session) -> DynamoDBPersistenceLayer:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    from vhcore.dal import aws

    with aws.LOCK:
        # The process's one DynamoDB client (``aws.CONFIG``: the timeouts and retries that fit
        # the function's timeout): a client of its own would read the endpoint rules and the
        # service model again, a cost of every cold start that stores a registration.
        return DynamoDBPersistenceLayer(
            table_name=table_name, boto3_client=aws._client(session, "dynamodb")
        )


class Request(TypedDict):
    """What the guard sees of a request: the key, and a fingerprint of the content."""

    key: str
    content: str


class _Guarded(Protocol):
    def __call__(self, *, idempotency_key: Request, work: Work) -> RegistrationAccepted: ...


def _guarded(table_name: str) -> _Guarded:
    from vhcore.dal import aws

    return _guarded_on(table_name, aws.session())


@cache
def _guarded_on(table_name: str, session: boto3.session.Session) -> _Guarded:
    """``work`` behind Powertools idempotency; built on first use (its client is not needed
    at import, and tests point it at the emulator first), per session like its layer."""
    from aws_lambda_powertools.utilities.idempotency import idempotent_function
    from aws_lambda_powertools.utilities.idempotency.serialization.pydantic import (
        PydanticSerializer,
    )

    def run(*, idempotency_key: Request, work: Work) -> RegistrationAccepted:
        answer = work()
        _done.set(answer)
        return answer

    guarded: _Guarded = idempotent_function(
        data_keyword_argument="idempotency_key",
        persistence_store=_persistence_layer(table_name, session),
        config=config(),
        output_serializer=PydanticSerializer(RegistrationAccepted),
    )(run)
    return guarded


class PowertoolsOnce:
    """``vhcore.ports.Once`` on the idempotency table."""

    def __init__(self, table_name: str | None) -> None:
        self.table_name = table_name

    def __call__(self, key: str, work: Work, content: str = "") -> RegistrationAccepted:
        if not self.table_name:
            from vhcore.errors import ConfigurationError

            raise ConfigurationError("this function has no idempotency table")
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyPersistenceLayerError,
            IdempotencyValidationError,
        )

        guarded = _guarded(self.table_name)
        deadline = time.monotonic() + IN_PROGRESS_MAX_WAIT_SECONDS
        _done.set(None)
        while True:
            try:
                return guarded(idempotency_key={"key": key, "content": content}, work=work)
            except IdempotencyValidationError:
                raise SubmissionChanged("the same key came with other content") from None
            except IdempotencyAlreadyInProgressError:
                if time.monotonic() > deadline:
                    raise StorageUnavailable("a duplicate is still being stored") from None
                time.sleep(IN_PROGRESS_WAIT_SECONDS)
            except IdempotencyPersistenceLayerError as exc:
                done = _done.get()
                if done is not None:
                    # Done completely; only the idempotency record could not be completed (it
                    # expires with this invocation). Answer with what was done.
                    logger.warning("work done, idempotency record not completed")
                    return done
                raise StorageUnavailable("idempotency records unavailable") from exc
