"""Simulator settings: limits, latency, and the texts luma-api.md leaves unconfirmed."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

MB50 = 52_428_800


class SimConfig(BaseModel):
    """Everything a simulator run can vary. Defaults follow luma-api.md."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seed: int = 0
    latency: tuple[float, float] = (30.0, 60.0)  # processing time, uniform, seconds
    queue_wait: tuple[float, float] = (0.5, 3.0)  # time spent queued before processing
    web_search_extra: float = 3.0  # "adds a few seconds"
    rpm: int = Field(default=30, ge=1)
    concurrency: int = Field(default=10, ge=1)
    url_ttl: float = Field(default=3600.0, gt=0)
    active_ttl: float = 3600.0  # an unfinished job stops holding its slot after this
    max_image_bytes: int = MB50
    # A whole request body; big enough for one 50 MB image as base64, small enough to be safe.
    max_body_bytes: int = 75_000_000
    open_keys: bool = True  # any well-formed key works unless marked otherwise
    output_long_side: int = Field(default=512, ge=16, le=4096)
    journal_limit: int = 10_000
    # Unconfirmed wording (luma-api.md §8.2, §4): configurable, with sensible defaults.
    manga_status: int = 400
    manga_detail: str = (
        "style 'manga' requires a portrait aspect_ratio: 1:2, 1:3, 2:3, 9:16"
    )
    image_ref_limit_detail: str = "image supports up to 9 reference images"
    chain_status: int = 400
    chain_detail: str = "{field}: generation_id does not refer to a completed generation"
    http_url_detail: str = "{field}: failed to fetch URL (only https URLs are accepted)"

    @model_validator(mode="after")
    def _ranges(self) -> SimConfig:
        for name in ("latency", "queue_wait"):
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                raise ValueError(f"{name} must be MIN-MAX with 0 <= MIN <= MAX")
        return self
