"""What the ledger's verification routes answer (``GET /ledger/verifications``)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class VerificationRead(Schema):
    """One verification of the store against the log."""

    id: int
    mode: str = Field(description="``full`` (every event) or ``sample`` (a random share, proved into the checkpoint).")
    trigger: str = Field(description="``cli`` (``zhuisu ledger verify``) or ``background`` (the worker's schedule).")
    sample_rate: float | None
    started_at: datetime
    finished_at: datetime
    leaves: int = Field(description="Leaves in the log (full) or in the signed checkpoint sampled from.")
    checked: int = Field(description="Events whose rows and derived rows were checked.")
    external: int = Field(description="Checkpoints held elsewhere (files, witnesses) the log was checked against.")
    findings: int = Field(description="Findings in all (the reader may see fewer: ``findings`` below is its lane).")


class FindingRead(Schema):
    """One thing a verification found."""

    kind: str = Field(description="``changed``, ``deleted``, ``inserted``, ``derived`` or ``tree``.")
    event_id: str | None
    party_id: str | None = Field(description="The event's recorder, when its row is there.")
    detail: str


class VerificationsRead(Schema):
    """The latest verifications, and the findings of one (the latest by default) in the reader's lane."""

    runs: list[VerificationRead]
    run: int | None = Field(description="The run whose findings are listed.")
    findings: list[FindingRead]
