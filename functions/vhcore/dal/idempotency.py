"""Idempotency records (Powertools) in their own DynamoDB table: the same submission, or
without a submission id the same content, gives the same answer and stores nothing new."""

from __future__ import annotations

import os
from functools import cache

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
)
from botocore.config import Config

from vhcore.errors import ConfigurationError

TABLE_ENV = "IDEMPOTENCY_TABLE"
WINDOW_SECONDS = 24 * 3600  # a retry the next morning still finds the first answer

config = IdempotencyConfig(
    expires_after_seconds=WINDOW_SECONDS,
    hash_function="sha256",
    raise_on_no_idempotency_key=True,
)


@cache
def persistence_layer() -> DynamoDBPersistenceLayer:
    name = os.environ.get(TABLE_ENV)
    if not name:
        raise ConfigurationError(f"{TABLE_ENV} is not set")
    return DynamoDBPersistenceLayer(
        table_name=name,
        boto_config=Config(
            connect_timeout=2, read_timeout=4, retries={"max_attempts": 3, "mode": "standard"}
        ),
    )
