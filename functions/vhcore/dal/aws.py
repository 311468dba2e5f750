"""Boto3 clients, created on first use with short timeouts and standard retries."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

CONFIG = Config(connect_timeout=2, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"})


@cache
def client(service: str) -> Any:
    return boto3.client(service, config=CONFIG)  # type: ignore[call-overload]
