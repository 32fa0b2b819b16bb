"""Cost and time estimates for one job, from the published price table and latency.

Prices (luma-api.md §11, USD per output image): text-to-image is the base price and
every reference image adds $0.003. An edit costs the edit price plus $0.003 per
reference: the table does not show edits with references, so that part is the
doc's own stated (unconfirmed) assumption, and the source counts as one reference.
Latency (§10): uni-1 jobs take 30–60 s; uni-1-max is undocumented and assumed to
take at least as long, so the same range is used as its estimate.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

TEXT_TO_IMAGE = {"uni-1": Decimal("0.0404"), "uni-1-max": Decimal("0.1000")}
IMAGE_EDIT = {"uni-1": Decimal("0.0434"), "uni-1-max": Decimal("0.1030")}
PER_REFERENCE = Decimal("0.0030")

SECONDS_PER_JOB = {"uni-1": (30, 60), "uni-1-max": (30, 60)}
WEB_SEARCH_SECONDS = 5  # "adds a few seconds"


def job_cost(type_: Literal["image", "image_edit"], model: str, references: int) -> Decimal:
    """Estimated USD for one job; `references` counts image_ref entries (not the source)."""
    base = TEXT_TO_IMAGE if type_ == "image" else IMAGE_EDIT
    return base[model] + PER_REFERENCE * references


def job_seconds(model: str, *, web_search: bool) -> tuple[int, int]:
    low, high = SECONDS_PER_JOB[model]
    extra = WEB_SEARCH_SECONDS if web_search else 0
    return low + extra, high + extra


def usd(amount: Decimal) -> float:
    """Round to a tenth of a cent's tenth: the table's own precision."""
    return float(amount.quantize(Decimal("0.0001")))
