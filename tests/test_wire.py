"""Wire format: requests are strict and omit unset fields; responses are lenient."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from lumaflow import wire


def test_request_body_omits_unset_fields() -> None:
    request = wire.GenerationRequest(type="image", model="uni-1", prompt="a red car")
    assert request.body() == {"type": "image", "model": "uni-1", "prompt": "a red car",
                              "web_search": False}


def test_edit_body_carries_source_and_refs_in_order() -> None:
    request = wire.GenerationRequest(
        type="image_edit", model="uni-1-max", prompt="p", style="manga", aspect_ratio="2:3",
        output_format="png", source=wire.ImageRef(generation_id="g-1"),
        image_ref=(wire.ImageRef(data="AAAA", media_type="image/png"),
                   wire.ImageRef(url="https://x.test/a.png")),
    )
    body = request.body()
    assert body["source"] == {"generation_id": "g-1"}
    assert body["image_ref"] == [{"data": "AAAA", "media_type": "image/png"},
                                 {"url": "https://x.test/a.png"}]
    assert (body["style"], body["aspect_ratio"], body["output_format"]) == ("manga", "2:3", "png")


@pytest.mark.parametrize("fields", [{}, {"url": "https://a", "generation_id": "g"},
                                    {"data": "AAAA"}])
def test_image_ref_needs_exactly_one_location(fields: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        wire.ImageRef(**fields)


def test_image_ref_description_never_shows_payload() -> None:
    assert "AAAA" not in wire.ImageRef(data="AAAA", media_type="image/png").describe()


def test_generation_accepts_unknown_fields_states_and_codes() -> None:
    gen = wire.parse_generation(
        b'{"id": "g", "state": "paused", "output": [], "failure_code": "new_code", "extra": 1}'
    )
    assert gen.state == "paused" and not gen.is_terminal and gen.failure_code == "new_code"


def test_completed_generation_exposes_output_url() -> None:
    gen = wire.parse_generation(
        b'{"id": "g", "state": "completed", "output": [{"type": "image", "url": "https://s/o.png"}]}'
    )
    assert gen.is_terminal and gen.output_url == "https://s/o.png"


def test_unparsable_generation_is_value_error() -> None:
    with pytest.raises(ValueError, match="unexpected generation body"):
        wire.parse_generation(b'{"state": "queued"}')


@pytest.mark.parametrize(("payload", "text"), [
    (b'{"detail": "Generation not found"}', "Generation not found"),
    (b'{"detail": [{"loc": ["body", "prompt"], "msg": "field required", "type": "missing"}]}',
     "prompt: field required"),
    (b"<html>bad gateway</html>", "<html>bad gateway</html>"),
    (b"", "(empty body)"),
])
def test_error_detail_string_list_or_garbage(payload: bytes, text: str) -> None:
    assert wire.parse_error_detail(payload) == text


def test_limit_kind_tells_429s_apart() -> None:
    assert wire.limit_kind("Too many concurrent jobs") == "concurrency"
    assert wire.limit_kind("Rate limit exceeded") == "rpm"
    assert wire.limit_kind("slow down") is None
