"""Start the follow-up once per registration; account for registrations that expired."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from vhcore.dal import registrations, workflow
from vhcore.log import logger, metrics


def start_for(item: dict[str, Any]) -> bool:
    """Start the workflow of a newly stored registration (by its stream image)."""
    registration_id = str(item["pk"]).removeprefix("REG#")
    logger.append_keys(registration_id=registration_id, reference=item.get("reference"))
    started = workflow.start(
        registration_id,
        {
            "registration_id": registration_id,
            "reference": item["reference"],
            "respond_by": item["respond_by"],
            "escalate_at": item["escalate_at"],
        },
    )
    logger.info("workflow started" if started else "workflow was already running")
    return started


def expired(old_item: dict[str, Any]) -> None:
    """A registration removed by its retention period (DynamoDB TTL): count it, release the
    reference. Only ids are logged; the personal data went with the item."""
    registration_id = str(old_item["pk"]).removeprefix("REG#")
    if old_item.get("reference"):
        registrations.delete_reference(str(old_item["reference"]))
    metrics.add_metric(name="RegistrationExpired", unit=MetricUnit.Count, value=1)
    logger.info("registration expired and deleted", extra={"registration_id": registration_id})
