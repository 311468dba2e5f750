"""Queue messages as typed models: kinds, ids and dates only, never personal data."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from vhcore.model import FollowUpState


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TriageMessage(_Message):
    """``follow-up``: look at the case, queue what is due, answer the next step;
    ``await-event``: park the token until the case's next event (``seen``: the number of
    events the follow-up saw). ``await-decision``/``await-close``: executions started before
    the follow-up loop."""

    kind: Literal["enqueue", "follow-up", "await-event", "await-decision", "await-close"]
    registration_id: str = Field(max_length=64)
    token: str | None = Field(default=None, max_length=4096)
    state: FollowUpState | None = None
    seen: int | None = Field(default=None, ge=0)

    def require_token(self) -> str:
        if not self.token:
            raise ValueError(f"{self.kind} message without a task token")
        return self.token


# What a reminder or escalation is about: the promised contact, the decision (the triage's
# answer), or an information request the registrant has not answered.
About = Literal["contact", "decision", "information"]


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
        "urgent",
        "announce",
        "digest",
    ]
    registration_id: str | None = Field(default=None, max_length=64)
    about: About | None = None
    # A digest: the day it covers and the references received that day (no personal data).
    day: str | None = Field(default=None, max_length=10)
    references: tuple[Annotated[str, Field(max_length=20)], ...] | None = Field(
        default=None, max_length=500
    )
    triage_date: str | None = Field(default=None, max_length=10)
    count: int | None = Field(default=None, ge=0)
    # Names this message, the same in every copy of it (a producer's retry sends the same
    # id): notify sends each message's e-mail once (``vhcore.logic.notify.once_key``).
    message_id: str | None = Field(default=None, min_length=1, max_length=160)
