"""Conformance: auth, common headers, validation and 404s, in-process and over a socket."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sim.harness import KEY, MODES, OTHER_KEY, Api, MakeApi, api_factory, png_b64


@pytest.fixture(params=MODES)
def make_api(request: pytest.FixtureRequest) -> Iterator[MakeApi]:
    yield from api_factory(request.param)


@pytest.fixture
def api(make_api: MakeApi) -> Api:
    return make_api()


def test_create_answers_201_queued_with_headers(api: Api) -> None:
    answer = api.post({"prompt": "a lighthouse", "model": "uni-1-max"})
    assert answer.status_code == 201
    body = answer.json()
    assert body["state"] == "queued" and body["output"] == [] and body["type"] == "image"
    assert body["model"] == "uni-1-max" and body["created_at"] == "2026-01-01T00:00:00Z"
    assert body["failure_code"] is None and body["failure_reason"] is None
    uuid.UUID(body["id"])
    uuid.UUID(answer.headers["X-Request-Id"])
    assert answer.headers["X-API-Version"] == "2026-04-01"
    assert answer.headers["X-RateLimit-Limit"] == "30"
    assert answer.headers["X-RateLimit-Remaining"] == "29"
    assert int(answer.headers["X-RateLimit-Reset"]) == 1_767_225_600 + 60


def test_get_has_only_the_common_headers(api: Api) -> None:
    job = api.create()
    answer = api.get(job["id"])
    assert answer.status_code == 200 and answer.json()["id"] == job["id"]
    assert answer.headers["X-API-Version"] == "2026-04-01"
    assert "X-RateLimit-Limit" not in answer.headers


@pytest.mark.parametrize("path", ["/v1/generations", "/v1/generations/nope", "/v1/other"])
def test_request_id_is_echoed_on_every_answer(api: Api, path: str) -> None:
    answer = api.http.get(path, headers={"X-Request-Id": "my trace 7"})
    assert answer.headers["X-Request-Id"] == "my trace 7"
    assert answer.headers["X-API-Version"] == "2026-04-01"


@pytest.mark.parametrize("header", [
    None, "luma-api-abc", "bearer luma-api-abc", "Bearer sk-abc", "Bearer luma-api-", "Basic x",
])
def test_malformed_auth_is_missing_or_invalid(api: Api, header: str | None) -> None:
    headers = {} if header is None else {"Authorization": header}
    for answer in (api.http.post("/v1/generations", json={"prompt": "x"}, headers=headers),
                   api.http.get(f"/v1/generations/{uuid.uuid4()}", headers=headers)):
        assert answer.status_code == 401
        assert answer.json() == {"detail": "Missing or invalid API key"}


@pytest.mark.parametrize(("status", "detail"), [
    ("unknown", "Invalid API key"),
    ("revoked", "API key has been revoked"),
    ("expired", "API key has expired"),
])
def test_marked_keys_get_their_401(api: Api, status: str, detail: str) -> None:
    assert api.http.post("/_sim/keys", json={"key": KEY, "status": status}).status_code == 200
    answer = api.post({"prompt": "x"})
    assert (answer.status_code, answer.json()) == (401, {"detail": detail})


def test_closed_registry_rejects_unregistered_keys(make_api: MakeApi) -> None:
    api = make_api(open_keys=False)
    assert api.post({"prompt": "x"}).json() == {"detail": "Invalid API key"}
    api.http.post("/_sim/keys", json={"key": KEY, "status": "active"})
    assert api.post({"prompt": "x"}).status_code == 201


def test_auth_comes_before_body_validation(api: Api) -> None:
    answer = api.http.post("/v1/generations", json={"prompt": ""})
    assert answer.status_code == 401


LONG = "x" * 6001
REF = {"data": png_b64(), "media_type": "image/png"}
SOURCE = {"url": "https://cdn.example.com/car.jpg"}
VALIDATION: list[tuple[dict[str, Any], int, str]] = [
    ({"prompt": "x", "model": "super-model-v9"}, 400, "Unknown model: super-model-v9"),
    ({"prompt": "x", "model": "ray-3.2"}, 400, "Unknown model: ray-3.2"),
    ({"prompt": "x", "type": "video"}, 400, "Type 'video' is not supported for model 'uni-1'"),
    ({"prompt": "x", "aspect_ratio": "4:3"}, 400,
     "Invalid aspect_ratio '4:3'. Valid: 1:1, 1:2, 1:3, 16:9, 2:1, 2:3, 3:1, 3:2, 9:16"),
    ({"prompt": ""}, 400, "Prompt must be between 1 and 6000 characters"),
    ({"prompt": LONG}, 400, "Prompt must be between 1 and 6000 characters"),
    ({"prompt": "x", "image_ref": [{"url": "https://a.example/x.png", "data": "AA=="}]}, 400,
     "image_ref[0]: provide either 'url' or 'data', not both"),
    ({"prompt": "x", "image_ref": [REF, {}]}, 400,
     "image_ref[1]: provide either 'url' or 'data', not neither"),
    ({"prompt": "x", "image_ref": [{"data": "AA=="}]}, 400,
     "image_ref[0]: 'media_type' is required with 'data'"),
    ({"prompt": "x", "type": "image_edit", "source": SOURCE, "image_ref": [REF] * 9}, 400,
     "image_edit supports up to 8 reference images (source occupies one slot)"),
    ({"prompt": "x", "image_ref": [REF] * 10}, 400, "image supports up to 9 reference images"),
    ({"prompt": "x", "source": SOURCE}, 400, "source is only valid for type 'image_edit'"),
    ({"prompt": "x", "type": "image_edit"}, 400, "source is required for type 'image_edit'"),
    ({"prompt": "x", "style": "manga", "aspect_ratio": "16:9"}, 400,
     "style 'manga' requires a portrait aspect_ratio: 1:2, 1:3, 2:3, 9:16"),
    ({"prompt": "x", "type": "image_edit", "source": {"data": "%%%", "media_type": "image/png"}},
     422, "source: invalid base64 data"),
    ({"prompt": "x", "image_ref": [{"url": "http://cdn.example.com/a.png"}]}, 422,
     "image_ref[0]: failed to fetch URL (only https URLs are accepted)"),
    ({"prompt": "x", "image_ref": [{"url": "https://127.0.0.1/a.png"}]}, 422,
     "image_ref[0]: failed to fetch URL"),
    ({"prompt": "x", "type": "image_edit", "source": {"generation_id": str(uuid.UUID(int=7))}},
     400, "source: generation_id does not refer to a completed generation"),
]


@pytest.mark.parametrize(("body", "status", "detail"), VALIDATION)
def test_validation_rules(api: Api, body: dict[str, Any], status: int, detail: str) -> None:
    answer = api.post(body)
    assert (answer.status_code, answer.json()) == (status, {"detail": detail})
    assert answer.headers["X-API-Version"] == "2026-04-01"
    assert api.jobs() == []


@pytest.mark.parametrize("body", [
    {"prompt": 123}, {}, {"prompt": "x", "style": "noir"}, {"prompt": "x", "web_search": "yes"},
    {"prompt": "x", "output_format": "gif"}, {"prompt": "x", "user_id": "u" * 257}, [1, 2],
])
def test_schema_errors_are_422_with_a_list_detail(api: Api, body: Any) -> None:
    answer = api.post(body)
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert isinstance(detail, list) and detail[0]["loc"][0] == "body"


def test_malformed_json_is_422(api: Api) -> None:
    answer = api.http.post("/v1/generations", content=b"{nope",
                           headers={"Authorization": f"Bearer {KEY}"})
    assert answer.status_code == 422 and answer.json()["detail"][0]["type"] == "json_invalid"


def test_sdk_headers_and_unknown_fields_are_accepted(api: Api) -> None:
    headers = {"X-Stainless-Lang": "python", "X-Stainless-Retry-Count": "0",
               "User-Agent": "Luma/Python 0.5.0"}
    body = {"prompt": "x", "web_search": True, "user_id": "u1", "aspect_ratio": None,
            "output_format": None, "something_new": 1}
    assert api.post(body, headers=headers).status_code == 201


def test_oversized_images_are_413_per_field(make_api: MakeApi) -> None:
    api = make_api(max_image_bytes=len(base64.b64decode(REF["data"])))
    big = base64.b64encode(b"\0" * 1000).decode()
    body = {"prompt": "x", "image_ref": [REF, {"data": big, "media_type": "image/png"}]}
    answer = api.post(body)
    assert answer.status_code == 413
    assert answer.json() == {"detail": "image_ref[1]: image exceeds 50 MB limit"}


def test_oversized_bodies_are_413(make_api: MakeApi) -> None:
    api = make_api(max_body_bytes=2_000)
    answer = api.post({"prompt": "x" * 5_000})
    assert answer.status_code == 413
    assert answer.json() == {"detail": "Image exceeds 50 MB size limit"}


def test_unknown_malformed_and_foreign_ids_are_404(api: Api) -> None:
    job = api.create()
    for job_id, key in ((str(uuid.uuid4()), KEY), ("not-a-uuid", KEY), (job["id"], OTHER_KEY)):
        answer = api.get(job_id, key=key)
        assert (answer.status_code, answer.json()) == (404, {"detail": "Generation not found"})


def test_jobs_are_visible_to_every_key_of_their_client(api: Api) -> None:
    for key in (KEY, OTHER_KEY):
        api.http.post("/_sim/keys", json={"key": key, "client": "team-a"})
    job = api.create()
    assert api.get(job["id"], key=OTHER_KEY).status_code == 200


def test_unknown_paths_and_methods(api: Api) -> None:
    auth = {"Authorization": f"Bearer {KEY}"}
    assert api.http.get("/v1/files", headers=auth).status_code == 404
    assert api.http.delete(f"/v1/generations/{uuid.uuid4()}", headers=auth).status_code == 405
    assert api.http.get("/v1/generations", headers=auth).status_code == 405
    assert api.http.get("/elsewhere").status_code == 404
