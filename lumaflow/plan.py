"""The plan stage's public face: Recipe → Plan, and a Plan to and from its JSON file.

The models live in `planmodel`, the building in `planbuild`; this module is what
`lumaflow plan` and `lumaflow apply` import.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from lumaflow.errors import Diagnostic, RecipeError
from lumaflow.planbuild import build_plan, estimate, kind_label, style_of
from lumaflow.planmodel import (
    FORMAT_VERSION,
    Estimate,
    FileInput,
    GenerationInput,
    ImageInput,
    Job,
    JobRequest,
    ParentInput,
    Plan,
    RefUse,
    SaveTarget,
    UrlInput,
)
from lumaflow.planstatus import OutputProbe, disk_probe
from lumaflow.text import Span

__all__ = [
    "FORMAT_VERSION",
    "Estimate",
    "FileInput",
    "GenerationInput",
    "ImageInput",
    "Job",
    "JobRequest",
    "OutputProbe",
    "ParentInput",
    "Plan",
    "RefUse",
    "SaveTarget",
    "UrlInput",
    "build_plan",
    "disk_probe",
    "dumps_plan",
    "estimate",
    "kind_label",
    "load_plan",
    "loads_plan",
    "style_of",
]


def dumps_plan(plan: Plan) -> str:
    """The plan as `--json` prints it and `--out` saves it: sorted keys, trailing newline.

    Each job's request also carries `body`, the JSON body preview, for readers that
    do not want to rebuild it from the abstract request.
    """
    data = plan.model_dump(mode="json")
    for job_data, job in zip(data["jobs"], plan.jobs, strict=True):
        job_data["request"]["body"] = job.request.body_preview()
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _bad_plan(path: Path, message: str) -> RecipeError:
    return RecipeError((Diagnostic(severity="error", code="bad-plan", message=message,
                                   path=path, span=Span.point(1, 1)),))


def loads_plan(text: str, *, path: Path) -> Plan:
    """Parse a saved plan; a clean RecipeError for anything that is not one of ours."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise _bad_plan(path, f"not a lumaflow plan: invalid JSON ({err.msg})") from None
    if not isinstance(data, dict) or "format_version" not in data:
        raise _bad_plan(path, "not a lumaflow plan: no format_version")
    if data["format_version"] != FORMAT_VERSION:
        raise _bad_plan(path, f"plan format_version {data['format_version']!r} is not supported "
                        f"(this lumaflow reads {FORMAT_VERSION}); run `lumaflow plan` again")
    for job in data.get("jobs", []):
        if isinstance(job, dict) and isinstance(job.get("request"), dict):
            job["request"].pop("body", None)  # derived on output, never trusted on input
    try:
        return Plan.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise _bad_plan(path, f"not a valid lumaflow plan: {where}: {first['msg']}") from None


def load_plan(path: Path) -> Plan:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise _bad_plan(path, f"cannot read plan file ({err})") from None
    return loads_plan(text, path=path)
