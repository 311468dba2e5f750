"""Start the follow-up once per registration; account for registrations that expired."""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from vhcore.log import logger, metrics
from vhcore.model import Registration, WorkflowInput
from vhcore.ports import Services


def start_for(services: Services, registration: Registration) -> bool:
    """Start the workflow of a newly stored registration."""
    logger.append_keys(registration_id=registration.id, reference=registration.reference)
    started = services.workflow.start(
        registration.id,
        WorkflowInput(
            registration_id=registration.id,
            reference=registration.reference,
            respond_by=registration.respond_by,
        ),
    )
    logger.info("workflow started" if started else "workflow was already running")
    return started


def expired(services: Services, registration: Registration) -> None:
    """A registration removed by its retention period: count it, release the reference.
    Only ids are logged; the personal data went with the item."""
    services.store.release_reference(registration.reference)
    metrics.add_metric(name="RegistrationExpired", unit=MetricUnit.Count, value=1)
    logger.info("registration expired and deleted", extra={"registration_id": registration.id})
