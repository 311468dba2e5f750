"""The settings a function is deployed with (``infra/template.yaml`` sets them as environment
variables): read and checked once per cold start, in one place.

Every function gets the variables of the template's ``Globals`` and a few of its own. Each
function names what it needs (``require``); a missing or malformed setting is one error that
names every problem at once, raised before the function does any work. The house a function
serves is configured apart, by its house file (``vhcore.house``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from vhcore.errors import ConfigurationError

Name = Annotated[str, StringConstraints(min_length=1, max_length=1024, strip_whitespace=True)]
Arn = Annotated[str, StringConstraints(pattern=r"^arn:[\w-]+:[\w-]+:", max_length=2048)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s]+$", max_length=2048)]

Setting = Literal[
    "registrations_table",
    "audit_table",
    "idempotency_table",
    "data_key_arn",
    "contact_key_arn",
    "notify_queue_url",
    "workflow_arn",
    "sender_email",
    "ses_configuration_set",
    "staff_mailbox",
    "escalation_mailbox",
    "site_url",
    "staff_client_id",
    "staff_auth_url",
    "origin_secret",
    "session_secret",
]


class Settings(BaseModel):
    """Everything a function may be configured with; each function requires its part."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    registrations_table: Name | None = Field(default=None, alias="REGISTRATIONS_TABLE")
    audit_table: Name | None = Field(default=None, alias="AUDIT_TABLE")
    idempotency_table: Name | None = Field(default=None, alias="IDEMPOTENCY_TABLE")
    data_key_arn: Arn | None = Field(default=None, alias="DATA_KEY_ARN")
    contact_key_arn: Arn | None = Field(default=None, alias="CONTACT_KEY_ARN")
    notify_queue_url: Url | None = Field(default=None, alias="NOTIFY_QUEUE_URL")
    workflow_arn: Arn | None = Field(default=None, alias="WORKFLOW_ARN")
    sender_email: Name | None = Field(default=None, alias="SENDER_EMAIL")
    ses_configuration_set: Name | None = Field(default=None, alias="SES_CONFIGURATION_SET")
    staff_mailbox: Name | None = Field(default=None, alias="STAFF_MAILBOX")
    escalation_mailbox: Name | None = Field(default=None, alias="ESCALATION_MAILBOX")
    site_url: Url | None = Field(default=None, alias="SITE_URL")
    staff_client_id: Name | None = Field(default=None, alias="STAFF_CLIENT_ID")
    staff_auth_url: Url | None = Field(default=None, alias="STAFF_AUTH_URL")
    # The header value CloudFront sends to the API origin (vhcore.http.through_cloudfront).
    origin_secret: Name | None = Field(default=None, alias="ORIGIN_SECRET", repr=False)
    # The key of the sign-in function's refresh cookie (signin_handler.seal).
    session_secret: Name | None = Field(default=None, alias="SESSION_SECRET", repr=False)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Settings:
        """The settings in ``environ``; an empty variable counts as not set."""
        present = {k: v for k, v in environ.items() if v.strip()}
        try:
            return cls.model_validate(present)
        except ValidationError as exc:
            # Names only: a setting's value is not repeated in the log.
            wrong = sorted({str(cls.model_fields[str(e["loc"][0])].alias) for e in exc.errors()})
            raise ConfigurationError(f"malformed settings: {', '.join(wrong)}") from None

    def require(self, *names: Setting) -> Settings:
        """These settings, all present, or one error naming every one that is missing."""
        missing = [str(Settings.model_fields[n].alias) for n in names if getattr(self, n) is None]
        if missing:
            raise ConfigurationError(f"settings not set: {', '.join(missing)}")
        return self

    def value(self, name: Setting) -> str:
        """One required setting (``require`` it first to report all missing ones at once)."""
        self.require(name)
        return str(getattr(self, name))

    @property
    def site(self) -> str:
        """The public site's address, without a trailing slash ('' when not set)."""
        return (self.site_url or "").rstrip("/")


@cache
def settings() -> Settings:
    """This process's settings, read from the environment once."""
    return Settings.from_environment(os.environ)
