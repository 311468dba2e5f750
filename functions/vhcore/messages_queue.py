"""Queue messages as typed models: kinds, ids and dates only, never personal data."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TriageMessage(_Message):
    kind: Literal["enqueue", "await-decision", "await-close"]
    registration_id: str = Field(max_length=64)
    token: str | None = Field(default=None, max_length=4096)

    def require_token(self) -> str:
        if not self.token:
            raise ValueError(f"{self.kind} message without a task token")
        return self.token


class NotifyMessage(_Message):
    kind: Literal[
        "receipt",
        "information-request",
        "scheduled",
        "decision",
        "closed",
        "reminder",
        "escalation",
        "agenda",
    ]
    registration_id: str | None = Field(default=None, max_length=64)
    triage_date: str | None = Field(default=None, max_length=10)
    count: int | None = Field(default=None, ge=0)
    # Names this message, the same in every copy of it (a producer's retry sends the same
    # id): notify sends each message's e-mail once (``vhcore.logic.notify.once_key``).
    message_id: str | None = Field(default=None, min_length=1, max_length=160)
