"""Domain errors: one hierarchy, every error the rules raise on purpose. ``vhcore.http``
maps each to an HTTP status and a Dutch message, in one place (``error_answer``), for
intake and the resolver-based staff API alike."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""


class StorageUnavailable(DomainError):
    """Storage (DynamoDB or KMS) could not be reached or refused the write; nothing was kept."""


class DeliveryUnknown(DomainError):
    """The request reached the mail service but its answer did not (a read timeout, a closed
    connection): the e-mail may have been sent. Never retried, neither by the SDK nor by a
    redelivery of the message (``vhcore.logic.notify``)."""


class ReferenceTaken(DomainError):
    """The generated reference already exists; the caller draws a new one."""


class AlreadyStored(DomainError):
    """A registration with this id exists already: the same submission, stored before."""


class SubmissionChanged(DomainError):
    """A submission id came again with other content: the first registration is kept, and
    the other content would be lost silently if it were answered as a repeat."""


class ConfigurationError(DomainError):
    """The function is deployed without a setting it needs, or with a malformed one."""


class NotFound(DomainError):
    """No registration with that id or reference."""


class ConcurrentChange(DomainError):
    """Someone else changed the registration's status first; reload and try again."""


class Forbidden(DomainError):
    """Signed in, but not in a group that may do this."""


class IllegalTransition(DomainError):
    """A status change the workflow does not allow; the message (Dutch, for staff) says
    which and what is possible instead (``vhcore.status.check_transition``)."""

    def __init__(self, message: str, current: str, target: str) -> None:
        super().__init__(message)
        self.current = current
        self.target = target


class NotSchedulable(DomainError):
    """A triage date in the past, in a weekend, on a public holiday or (weekly triage) not on
    the triage day without an extra triage for an urgent case; the message says so."""


class NoPlan(DomainError):
    """A plan after triage for a case the house did not take on (or not yet decided); the
    message (Dutch, for staff) says so."""
