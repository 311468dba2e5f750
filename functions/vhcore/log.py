"""One structured logger and one metrics emitter for the whole product. Functions are told
apart by the Lambda context fields Powertools adds (function_name, request id), the
correlation id, and the ids we append. Never log an event, a body, a model dump or a
validation error's input."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics

logger = Logger(service="veiligheidshuis")
metrics = Metrics(service="veiligheidshuis")
