"""The price table of luma-api.md §11, and the latency assumptions of §10."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lumaflow.pricing import job_cost, job_seconds, usd

# Published "image reference, k images" prices (k = 1..9); uni-1-max 6..9 are unconfirmed.
TABLE = {
    "uni-1": ["0.0434", "0.0464", "0.0494", "0.0524", "0.0554", "0.0584", "0.0614", "0.0644",
              "0.0674"],
    "uni-1-max": ["0.1030", "0.1060", "0.1090", "0.1120", "0.1150", "0.1180", "0.1210",
                  "0.1240", "0.1270"],
}


@pytest.mark.parametrize("model", ["uni-1", "uni-1-max"])
def test_text_to_image_with_references_matches_the_table(model: str) -> None:
    for k, price in enumerate(TABLE[model], start=1):
        assert job_cost("image", model, k) == Decimal(price)


def test_base_prices() -> None:
    assert job_cost("image", "uni-1", 0) == Decimal("0.0404")
    assert job_cost("image", "uni-1-max", 0) == Decimal("0.1000")
    assert job_cost("image_edit", "uni-1", 0) == Decimal("0.0434")
    assert job_cost("image_edit", "uni-1-max", 0) == Decimal("0.1030")


def test_edits_with_references_follow_the_stated_assumption() -> None:
    # edit price + k × $0.003: the source counts as one reference
    for k in range(9):
        assert job_cost("image_edit", "uni-1", k) == job_cost("image", "uni-1", k + 1)


def test_latency_and_rounding() -> None:
    assert job_seconds("uni-1", web_search=False) == (30, 60)
    assert job_seconds("uni-1-max", web_search=True) == (35, 65)
    assert usd(Decimal("0.04340")) == 0.0434
