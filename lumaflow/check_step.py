"""Check one step: its kind, text, preset and colour, options, reference bindings and limits.

Knows which image the step would start from (none, the source, or an earlier
step's result), which decides whether `generate` or an edit kind may stand there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lumaflow import assets, nodes, values
from lumaflow.diagnostics import suggest
from lumaflow.prompts import compile_prompt
from lumaflow.recipe import (
    MAX_REFS,
    PORTRAIT_RATIOS,
    PROMPT_LIMITS,
    STYLE_PRESETS,
    Binding,
    Ref,
    Settings,
    SourceImage,
    Step,
)
from lumaflow.values import OPTION_KEYS, Report, setting_value

KINDS = ("generate", "edit", "background", "lighting", "style", "recolor")
_NEEDS_TEXT = ("generate", "edit", "background", "lighting", "recolor")


@dataclass(frozen=True)
class Scope:
    """What the header declared, as far as it was valid."""

    settings: Settings
    source: SourceImage | None
    source_declared: bool
    refs: dict[str, Ref]
    place: assets.Place


@dataclass(frozen=True)
class Image:
    """The image the next step would edit, described for messages."""

    what: str
    from_source: bool
    format: str | None = None  # the output format of the step that made it, if known


class StepChecker:
    def __init__(self, report: Report, scope: Scope, declared: dict[str, int]) -> None:
        self.report = report
        self.scope = scope
        self.declared = declared  # every source/ref name, even ones whose file was bad
        self.used: set[str] = set()

    def step(self, stmt: nodes.Step, image: Image | None) -> Step | None:
        kind = stmt.kind.text
        bindings = self._bindings(stmt, kind)
        if kind not in KINDS:
            self.report.error("unknown-step-kind", stmt.kind.pos, f"unknown step kind `{kind}`",
                              suggest(kind, KINDS, "kinds"))
            return None
        shaped = self._shape(stmt, kind)
        options = self._options(stmt)
        self._image_rule(stmt, kind, image)
        if not shaped or options is None or bindings is None:
            return None
        settings, extra = options
        self._manga(stmt, settings)
        step = Step(
            kind=kind,
            text=stmt.text.value if stmt.text else None,
            preset=stmt.preset.text if stmt.preset else None,
            color=stmt.color.value if stmt.color else None,
            bindings=bindings, settings=settings, span=stmt.span, **extra,
        )
        return step if self._prompt_fits(stmt, step) else None

    def _shape(self, stmt: nodes.Step, kind: str) -> bool:
        """Preset, TEXT and `to` present exactly where the kind wants them."""
        before = len(self.report.found)
        if stmt.preset is not None:
            self._preset(stmt.preset, kind)
        needs_text = kind in _NEEDS_TEXT or (kind == "style" and stmt.preset is None)
        if stmt.text is None and needs_text:
            example = 'style:manga or style "TEXT"' if kind == "style" else f'{kind} "TEXT"'
            self.report.error("missing-text", stmt.kind.pos, f"`{kind}` needs a text",
                              f"write: step {example}")
        if stmt.text is not None and not needs_text:
            self.report.error("unexpected-text", stmt.text.pos,
                              f"`style:{stmt.preset.text if stmt.preset else ''}` takes no text",
                              'use `style "TEXT"` to describe a style in words')
        if kind == "recolor" and stmt.color is None and stmt.text is not None:
            self.report.error("missing-color", stmt.text.pos, "recolor needs a colour",
                              f'write: step recolor "{stmt.text.value}" to "COLOR"')
        if kind != "recolor" and stmt.color is not None:
            self.report.error("unexpected-color", stmt.color.pos,
                              "only `recolor` takes `to \"COLOR\"`")
        for text in (stmt.text, stmt.color):
            self._not_blank(text)
        return len(self.report.found) == before

    def _not_blank(self, text: nodes.Value | None) -> bool:
        if isinstance(text, nodes.Text) and not text.value.strip():
            self.report.error("empty-text", text.pos, "this text is empty",
                              "say what the step should do, or leave the part out")
            return False
        return True

    def _preset(self, preset: nodes.Word, kind: str) -> None:
        if kind != "style":
            self.report.error("unexpected-preset", preset.pos,
                              f"`{kind}` takes no `:{preset.text}` preset",
                              "only style has presets: style:manga, style:auto")
        elif preset.text not in STYLE_PRESETS:
            self.report.error("unknown-style-preset", preset.pos,
                              f"unknown style preset `{preset.text}`",
                              f"{suggest(preset.text, STYLE_PRESETS, 'presets')}; "
                              'describe other styles in words: style "TEXT"')

    def _options(self, stmt: nodes.Step) -> tuple[Settings, dict[str, Any]] | None:
        """The step's effective settings, and its `keep`/`prompt`; None if an option is bad."""
        overrides: dict[str, Any] = {}
        results = [self._option(option, overrides) for option in stmt.options]
        if not all(results):
            return None
        extra: dict[str, Any] = {k: overrides.pop(k) for k in ("keep", "prompt") if k in overrides}
        settings = self.scope.settings
        return (settings.model_copy(update=overrides) if overrides else settings), extra

    def _option(self, option: nodes.Option, overrides: dict[str, Any]) -> bool:
        key = option.key.text
        if key not in OPTION_KEYS:
            self.report.error("unknown-option", option.key.pos, f"unknown option `{key}`",
                              suggest(key, OPTION_KEYS, "options"))
            return False
        if key in overrides:
            self.report.error("duplicate-option", option.key.pos,
                              f"`{key}` is given twice in this step")
            return False
        overrides[key] = setting_value(key, option.value, self.report)
        return overrides[key] is not None and self._not_blank(option.value)

    def _bindings(self, stmt: nodes.Step, kind: str) -> tuple[Binding, ...] | None:
        found: list[Binding] = []
        names: set[str] = set()
        ok = True
        for node in stmt.bindings:
            name = node.ref.text
            self.used.add(name)
            if name in names:
                self.report.error("duplicate-binding", node.ref.pos,
                                  f"`{name}` is bound twice in this step")
                ok = False
            names.add(name)
            binding = self._binding(node)
            ok = ok and binding is not None
            found += [binding] if binding else []
        limit = MAX_REFS["generate" if kind == "generate" else "edit"]
        if len(stmt.bindings) > limit and stmt.bindings_pos is not None:
            self.report.error("too-many-refs", stmt.bindings_pos,
                              f"{len(stmt.bindings)} references; `{kind}` takes at most {limit}",
                              "an edit's source takes the ninth image slot" if limit == 8
                              else None)
            ok = False
        return tuple(found) if ok else None

    def _binding(self, node: nodes.Binding) -> Binding | None:
        name = node.ref.text
        ref = self.scope.refs.get(name)
        if ref is None:
            self._unknown_ref(node.ref)
            return None
        role = values.role(node.role, self.report) if node.role else ref.role
        if role is None:
            self.report.warning("no-role", node.pos, f"`{name}` has no role: the model will guess",
                                f"write [{name} as ROLE], or give the ref a default: "
                                f"ref {name} = … as ROLE")
        return Binding(ref=name, role=role, span=node.span)

    def _unknown_ref(self, ref: nodes.Word) -> None:
        if self.scope.source_declared and ref.text == self._source_name():
            self.report.error("unknown-ref", ref.pos, f"`{ref.text}` is the source, not a ref",
                              "every step already edits the current image; bind refs only")
        elif ref.text not in self.declared:
            self.report.error("unknown-ref", ref.pos, f"no ref named `{ref.text}`",
                              suggest(ref.text, self.scope.refs, "declared refs")
                              or "declare it first: ref NAME = \"refs/image.jpg\" as ROLE")

    def _source_name(self) -> str | None:
        return self.scope.source.name if self.scope.source else None

    def _image_rule(self, stmt: nodes.Step, kind: str, image: Image | None) -> None:
        if kind == "generate" and image is not None:
            code = "generate-after-source" if image.from_source else "generate-not-first"
            self.report.error(code, stmt.kind.pos,
                              f"`generate` makes a new image, discarding {image.what}",
                              "use `edit` to change the current image" +
                              (", or remove the source" if image.from_source else ""))
        elif kind != "generate" and image is None and not self.scope.source_declared:
            self.report.error("missing-source", stmt.kind.pos,
                              f"`{kind}` needs an image to work on, and the recipe has no source",
                              'add `source NAME = "photo.jpg"` above the steps, '
                              'or start with `step generate "…"`')

    def _manga(self, stmt: nodes.Step, settings: Settings) -> None:
        if stmt.preset is None or stmt.preset.text != "manga":
            return
        if settings.aspect in PORTRAIT_RATIOS:
            return
        own = next((o for o in stmt.options if o.key.text == "aspect"), None)
        where = own.value.pos if own else stmt.preset.pos
        inherited = settings.aspect and not own
        shown = f" (the recipe's aspect is {settings.aspect})" if inherited else ""
        self.report.error("manga-aspect", where,
                          f"style:manga needs a portrait aspect ratio{shown}",
                          "add `aspect 2:3` to the step; portrait ratios: "
                          + ", ".join(PORTRAIT_RATIOS))

    def _prompt_fits(self, stmt: nodes.Step, step: Step) -> bool:
        length = len(compile_prompt(step))
        low, high = PROMPT_LIMITS
        if low <= length <= high:
            return True
        own = next((o for o in stmt.options if o.key.text == "prompt"), None)
        where = own.value.pos if own else (stmt.text.pos if stmt.text else stmt.pos)
        message = ("the compiled prompt is empty" if length < low else
                   f"the compiled prompt is {length:,} characters; the API takes at most {high:,}")
        self.report.error("prompt-length", where, message,
                          "lumaflow plan shows the compiled prompt" if length else
                          "describe what the step should do")
        return False
