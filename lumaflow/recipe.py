"""The validated domain model: what `check` produces and `plan` consumes.

Everything here has already been judged: names resolve, limits hold, files exist
and are hashed, and each step carries its *effective* settings (recipe defaults
with the step's own options applied). Nothing in this module does I/O.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from lumaflow.text import Span

ModelName = Literal["uni-1", "uni-1-max"]
OutputFormat = Literal["png", "jpeg"]
StepKind = Literal["generate", "edit", "background", "lighting", "style", "recolor"]

# The API's nine image aspect ratios, and the ones `style: manga` accepts.
ASPECT_RATIOS: tuple[str, ...] = ("3:1", "2:1", "16:9", "3:2", "1:1", "2:3", "9:16", "1:2", "1:3")
PORTRAIT_RATIOS: tuple[str, ...] = ("2:3", "9:16", "1:2", "1:3")
STYLE_PRESETS: tuple[str, ...] = ("auto", "manga")
MAX_REFS = {"generate": 9, "edit": 8}  # image_edit: the source takes the ninth slot
PROMPT_LIMITS = (1, 6000)
MAX_IMAGE_BYTES = 52_428_800


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FileAsset(_Frozen):
    """A local image, already read, sniffed and hashed by `check`."""

    kind: Literal["file"] = "file"
    written: str  # the LOCATION exactly as the recipe spells it (relative to the recipe)
    path: Path  # absolute, resolved
    sha256: str
    media_type: str  # image/png, image/jpeg, image/webp, image/gif (sniffed from the bytes)
    size: int


class UrlAsset(_Frozen):
    kind: Literal["url"] = "url"
    url: str  # https only


class GenerationAsset(_Frozen):
    kind: Literal["generation"] = "generation"
    generation_id: str  # a UUID


Asset = Annotated[FileAsset | UrlAsset | GenerationAsset, Field(discriminator="kind")]


class Settings(_Frozen):
    """Recipe defaults, or a step's effective settings."""

    model: ModelName = "uni-1"
    aspect: str | None = None  # one of ASPECT_RATIOS; None lets the API decide
    format: OutputFormat | None = None
    web_search: bool = False


class SourceImage(_Frozen):
    name: str
    asset: Asset
    span: Span


class Ref(_Frozen):
    name: str
    asset: Asset
    role: str | None  # the default role, from `as ROLE`
    span: Span


class Binding(_Frozen):
    """A reference bound to one step; `role` is resolved (explicit, else the ref default)."""

    ref: str
    role: str | None
    span: Span


class Step(_Frozen):
    node: Literal["step"] = "step"
    kind: StepKind
    text: str | None = None  # TEXT; for recolor, WHAT; None for style:PRESET
    preset: str | None = None  # style:PRESET only ("manga", "auto")
    color: str | None = None  # recolor ... to COLOR
    bindings: tuple[Binding, ...] = ()
    settings: Settings = Settings()  # effective: recipe defaults + this step's options
    keep: str | None = None
    prompt: str | None = None  # replaces the kind's template wholesale
    span: Span  # the whole statement


class Save(_Frozen):
    node: Literal["save"] = "save"
    written: str  # the path exactly as the recipe spells it
    path: Path  # absolute, resolved
    span: Span


class Branch(_Frozen):
    node: Literal["branch"] = "branch"
    name: str
    body: tuple[Item, ...]
    span: Span


Item = Annotated[Step | Save | Branch, Field(discriminator="node")]


class Recipe(_Frozen):
    path: Path  # the recipe file, absolute
    project_root: Path  # nothing may resolve outside it (unless the user allows it)
    version: int = 1
    settings: Settings = Settings()
    source: SourceImage | None = None
    refs: tuple[Ref, ...] = ()
    body: tuple[Item, ...] = ()

    def ref(self, name: str) -> Ref:
        for ref in self.refs:
            if ref.name == name:
                return ref
        raise KeyError(name)


Branch.model_rebuild()
Recipe.model_rebuild()
