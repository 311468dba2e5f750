"""Domain errors. The API functions map them to HTTP statuses in one place each
(``vhcore.resolver`` for the resolver-based admin API, ``intake_handler`` for intake)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""


class StorageUnavailable(DomainError):
    """Storage (DynamoDB or KMS) could not be reached or refused the write; nothing was kept."""


class ReferenceTaken(DomainError):
    """The generated reference already exists; the caller draws a new one."""


class AlreadyStored(DomainError):
    """A registration with this id exists already: the same submission, stored before."""


class ConfigurationError(DomainError):
    """The function is deployed without a setting it needs."""


class NotFound(DomainError):
    """No registration with that id or reference."""


class ConcurrentChange(DomainError):
    """Someone else changed the registration's status first; reload and try again."""
