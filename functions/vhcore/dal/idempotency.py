"""Idempotency records (Powertools) in their own DynamoDB table: the same submission, or
without a submission id the same content, gives the same answer and stores nothing new.

Powertools' idempotency package imports boto3 (for its DynamoDB layer) as soon as any part of
it is imported, so this module imports it on first use: a request refused before anything is
stored (413, 415, 422) is answered without loading the AWS SDK."""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

from vhcore.errors import ConfigurationError

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
    )

TABLE_ENV = "IDEMPOTENCY_TABLE"
WINDOW_SECONDS = 24 * 3600  # a retry the next morning still finds the first answer


@cache
def config() -> IdempotencyConfig:
    """One configuration per process (it also carries the Lambda context, for the time
    left when a record is saved)."""
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(
        expires_after_seconds=WINDOW_SECONDS,
        hash_function="sha256",
        raise_on_no_idempotency_key=True,
    )


@cache
def persistence_layer() -> DynamoDBPersistenceLayer:
    name = os.environ.get(TABLE_ENV)
    if not name:
        raise ConfigurationError(f"{TABLE_ENV} is not set")
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
    from botocore.config import Config

    from vhcore.dal import aws

    with aws.LOCK:
        return DynamoDBPersistenceLayer(
            table_name=name,
            boto3_session=aws.session(),
            boto_config=Config(
                connect_timeout=2,
                read_timeout=4,
                retries={"total_max_attempts": 3, "mode": "standard"},
            ),
        )
