"""The cold chain's answers: an imported logger file, and the public cold-chain summary of a product page."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")


class ExcursionRead(Schema):
    start: datetime = Field(description="The first reading outside the range.")
    end: datetime = Field(description="The reading back inside (an open excursion: its last reading outside).")
    minutes: float = Field(description="Minutes outside the range (from start to end).")
    peak: float = Field(description="The reading farthest outside the range, °C.")
    readings: int = Field(description="Readings outside the range in it.")
    open: bool = Field(description="No reading back inside the range yet.")


class LogRead(Schema):
    """An imported logger file: what it accompanied, where, its readings and the excursions in it."""

    id: str
    party_id: str
    party: str = Field(description="The importing party's name.")
    created_at: datetime
    filename: str
    sha256: str
    encoding: str = Field(description="utf-8 or gbk.")
    device_id: str
    codes: list[str]
    location: str | None
    shipment: str | None
    biz_step: str
    region: str | None
    class_id: str | None
    readings: int
    first_time: datetime
    last_time: datetime
    min_celsius: float
    max_celsius: float
    allowed: list[float] | None = Field(description="The range judged against at import ([min, max] °C), if any.")
    excursions: list[ExcursionRead]
    minutes_outside: float = Field(description="Sum of the excursions' minutes.")
    event_ids: list[str]
    capture_id: str | None
    duplicate: bool = Field(False, description="This file was imported before by the same party: nothing new.")


class PublicLegRead(Schema):
    """One leg of the cold chain on the product page: a site, or on the road with a carrier."""

    label: str = Field(description="The site's name, or the carrier's name on the road.")
    on_road: bool = Field(description="Recorded on the road (a shipment), not at a site.")
    biz_step: str | None
    first: datetime
    last: datetime
    readings: int
    min_celsius: float
    max_celsius: float
    minutes_outside: float


class PublicColdChainRead(Schema):
    """冷链温度: the temperature readings on the product's journey, for the public."""

    readings: int
    first: datetime
    last: datetime
    min_celsius: float
    max_celsius: float
    allowed: list[float] | None = Field(description="The range of the product's class, °C, if it has one.")
    minutes_outside: float = Field(description="Minutes the readings were outside the range (0 without one).")
    excursions: int = Field(description="Stretches outside the range.")
    legs: list[PublicLegRead]
    series: list[tuple[datetime, float]] = Field(
        description="The readings for a chart, in time order (at most 200: evenly thinned, extremes kept)."
    )
