"""Conformance: job timelines, output URLs and pictures, chaining; in-process and over a socket."""

from __future__ import annotations

import io
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from PIL import Image, ImageChops
from sim.harness import MODES, OTHER_KEY, Api, MakeApi, api_factory, png_b64


@pytest.fixture(params=MODES)
def make_api(request: pytest.FixtureRequest) -> Iterator[MakeApi]:
    yield from api_factory(request.param)


@pytest.fixture
def api(make_api: MakeApi) -> Api:
    return make_api(latency=(30, 60), queue_wait=(1, 2))


def test_job_moves_queued_processing_completed(api: Api) -> None:
    job = api.create()
    timeline = api.jobs()[0]["timeline"]
    assert [step["state"] for step in timeline] == ["queued", "processing", "completed"]
    queued_for, done_after = timeline[1]["after_s"], timeline[2]["after_s"]
    assert 1 <= queued_for <= 2 and 31 <= done_after <= 62
    seen = []
    for _ in range(70):
        seen.append(api.get(job["id"]).json()["state"])
        api.advance(1)
    assert seen[0] == "queued" and seen[-1] == "completed"
    assert sorted(set(seen), key=seen.index) == ["queued", "processing", "completed"]
    assert seen.index("completed") in (int(done_after), int(done_after) + 1)


def test_web_search_adds_a_few_seconds(make_api: MakeApi) -> None:
    api = make_api(latency=(10, 10), queue_wait=(0, 0))
    api.create({"prompt": "x"})
    api.create({"prompt": "x", "web_search": True})
    ends = [job["timeline"][-1]["after_s"] for job in api.jobs()]
    assert ends == [10.0, 13.0]


def test_completed_job_has_one_fresh_output_url_per_get(api: Api) -> None:
    job = api.finish(api.create()["id"])
    again = api.get(job["id"]).json()
    assert job["state"] == "completed" and len(job["output"]) == 1
    assert job["output"][0]["type"] == "image"
    assert job["output"][0]["url"] != again["output"][0]["url"]
    assert urlsplit(job["output"][0]["url"]).netloc == urlsplit(str(api.http.base_url)).netloc


def test_output_is_a_png_unless_jpeg_is_asked(api: Api) -> None:
    png = api.finish(api.create({"prompt": "a red kite", "aspect_ratio": "2:1"})["id"])
    jpeg = api.finish(api.create({"prompt": "a kite", "output_format": "jpeg"})["id"])
    png_bytes = api.http.get(png["output"][0]["url"])
    jpeg_bytes = api.http.get(jpeg["output"][0]["url"])
    assert png_bytes.headers["content-type"] == "image/png"
    assert jpeg_bytes.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(png_bytes.content)).size == (512, 256)
    assert Image.open(io.BytesIO(jpeg_bytes.content)).format == "JPEG"


def test_output_urls_expire_with_403(make_api: MakeApi) -> None:
    api = make_api(url_ttl=600)
    job = api.finish(api.create()["id"])
    url = job["output"][0]["url"]
    api.advance(599)
    assert api.http.get(url).status_code == 200
    api.advance(1)
    assert api.http.get(url).status_code == 403
    fresh = api.get(job["id"]).json()["output"][0]["url"]
    assert api.http.get(fresh).status_code == 200


def test_tampered_output_urls_are_403(api: Api) -> None:
    url = api.finish(api.create()["id"])["output"][0]["url"]
    assert api.http.get(url.replace("X-Sim-Nonce=1", "X-Sim-Nonce=2")).status_code == 403


def test_edit_keeps_the_source_size_and_manga_is_monochrome(api: Api) -> None:
    source = {"data": png_b64((120, 60), (200, 40, 40)), "media_type": "image/png"}
    body = {"prompt": "Redraw the image in manga style.", "type": "image_edit",
            "style": "manga", "source": source}
    job = api.finish(api.create(body)["id"])
    picture = Image.open(io.BytesIO(api.http.get(job["output"][0]["url"]).content)).convert("RGB")
    assert picture.size == (120, 60)  # the source's own size (under the long-side cap)
    red, green, blue = picture.split()
    assert ImageChops.difference(red, green).getbbox() is None
    assert ImageChops.difference(red, blue).getbbox() is None


def test_lighting_tints_the_source(api: Api) -> None:
    source = {"data": png_b64((64, 64), (128, 128, 128)), "media_type": "image/png"}
    body = {"prompt": "Change the lighting to cold blue night.", "type": "image_edit",
            "source": source}
    job = api.finish(api.create(body)["id"])
    picture = Image.open(io.BytesIO(api.http.get(job["output"][0]["url"]).content)).convert("RGB")
    r, _, b = picture.getpixel((5, 5))  # type: ignore[misc]
    assert b > r + 20


def test_chaining_to_own_completed_generation(api: Api) -> None:
    first = api.create()
    body = {"prompt": "Replace the background with a beach.", "type": "image_edit",
            "source": {"generation_id": first["id"]}}
    early = api.post(body)
    assert early.status_code == 400
    detail = "source: generation_id does not refer to a completed generation"
    assert early.json()["detail"] == detail
    api.finish(first["id"])
    assert api.post(body, key=OTHER_KEY).status_code == 400
    chained = api.finish(api.create(body)["id"])
    assert chained["state"] == "completed"


def test_chain_error_is_configurable(make_api: MakeApi) -> None:
    api = make_api(chain_status=404, chain_detail="{field}: Generation not found")
    body = {"prompt": "x", "type": "image_edit",
            "source": {"generation_id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427"}}
    answer = api.post(body)
    assert (answer.status_code, answer.json()) == (404, {"detail": "source: Generation not found"})


@pytest.mark.parametrize(("data", "media_type", "code"), [
    (png_b64(), "image/tiff", "unsupported_format"),
    ("aGVsbG8gd29ybGQ=", "image/png", "corrupt_input"),
])
def test_unusable_inputs_fail_from_queued(api: Api, data: str, media_type: str, code: str) -> None:
    body = {"prompt": "x", "type": "image_edit", "source": {"data": data, "media_type": media_type}}
    job = api.finish(api.create(body)["id"])
    assert (job["state"], job["failure_code"], job["output"]) == ("failed", code, [])
    assert job["failure_reason"]
    assert [s["state"] for s in api.jobs()[0]["timeline"]] == ["queued", "failed"]


def test_url_sources_are_never_fetched_but_render(api: Api) -> None:
    body = {"prompt": "x", "type": "image_edit", "source": {"url": "https://cdn.example.com/a.png"}}
    job = api.finish(api.create(body)["id"])
    assert api.http.get(job["output"][0]["url"]).status_code == 200
