"""What the notice-hook API takes and answers."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class HookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dest: str = Field(min_length=1, max_length=2000, description="Where notices are POSTed: an http(s) URL.")
    topics: list[str] = Field(["recall"], min_length=1, max_length=10, description="What to be told: recall.")
    signature_token: str | None = Field(
        None, min_length=16, max_length=500, description="The key of Zhuisu-Signature; made for you if absent."
    )


class HookRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    owner_id: str
    dest: str
    topics: list[str]
    created_at: datetime
    last_notified_at: datetime | None


class HookCreated(HookRead):
    signature_token: str = Field(description="The key that signs this hook's notices (shown this once).")


class NoticeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    topic: str
    body: dict[str, Any]
    created_at: datetime
    attempts: int
    delivered: bool
    delivered_at: datetime | None
    next_attempt_at: datetime
    last_status: int | None
    last_error: str
