"""Federation's requests and answers."""

from typing import Any

from pydantic import BaseModel, Field


class NodeRead(BaseModel):
    """What a node is: its name, its log's origin and Ed25519 key, its witness's cosigner key, its address."""

    name: str
    origin: str
    log_vkey: str
    witness_vkey: str
    base_url: str


class DirectoryItem(BaseModel):
    """Codes under ``prefix`` are answered at ``url`` (None: the child itself)."""

    kind: str = Field(max_length=16, description="gs1 (company prefix), zhuisu (code issuer) or region (GB/T 2260).")
    prefix: str = Field(max_length=40)
    url: str | None = Field(default=None, max_length=500)
    name: str | None = Field(default=None, max_length=200)


class LinkCreate(BaseModel):
    """A child node introduces its log (this node will witness it) and the prefixes it answers for."""

    log_vkey: str = Field(min_length=1, max_length=2000, description="The child log's Ed25519 vkey (name = origin).")
    base_url: str = Field(min_length=1, max_length=500, description="Where the child node serves its API and pages.")
    directory: list[DirectoryItem] = Field(
        default_factory=list,
        max_length=50_000,
        description="The GS1 company prefixes, code issuers and regions the child and its own children answer for; "
        "malformed entries are dropped.",
    )


class DirectoryRead(BaseModel):
    kind: str
    prefix: str
    url: str
    name: str
    from_child: str | None = Field(description="The child node it was learnt from (None: entered by the admin).")


class ChildRead(BaseModel):
    party_id: str
    name: str
    region: str | None
    origin: str | None
    base_url: str | None
    linked_at: str | None
    received: int
    last_received_at: str | None


class StatusRead(BaseModel):
    """Per link to a parent: outbox depth, lag, last success and error; per child: what it sent here."""

    node: NodeRead
    links: list[dict[str, Any]]
    children: list[ChildRead]


class PartiesSent(BaseModel):
    """Enterprises registered at a child node or below: each ``{"node": its log origin, "recorder": {"id", "name",
    "uscc", "gln", "region", "party_type", "roles", "product_class"}}``."""

    parties: list[dict[str, Any]] = Field(max_length=5000)
