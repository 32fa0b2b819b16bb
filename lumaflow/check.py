"""Syntax nodes → the validated Recipe: names, API limits and files, every diagnostic at once.

`check` never raises for a bad recipe: it returns a CheckResult whose `recipe` is
None when any error was found. The header (version, defaults, source, refs) is
judged here; the steps, saves and branches in `lumaflow.check_body`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from lumaflow import assets, nodes, values
from lumaflow.check_body import BodyChecker
from lumaflow.check_step import Scope
from lumaflow.errors import Diagnostic
from lumaflow.recipe import Asset, Recipe, Ref, Settings, SourceImage
from lumaflow.values import SETTING_KEYS, Report, setting_value

VERSIONS = ("1",)


class CheckResult(BaseModel):
    """What `check` found: the Recipe (None if there was any error) and every diagnostic."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    recipe: Recipe | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def ok(self) -> bool:
        return self.recipe is not None

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "warning")


@dataclass
class _Header:
    """The declarations before the first step, as far as they were valid."""

    settings: dict[str, Any]
    source: SourceImage | None
    refs: dict[str, tuple[Ref, nodes.RefDecl]]


class _HeaderChecker:
    def __init__(self, report: Report, place: assets.Place) -> None:
        self.report = report
        self.place = place
        self.header = _Header(settings={}, source=None, refs={})
        self.setting_lines: dict[str, int] = {}
        self.names: dict[str, int] = {}  # source and ref names → declaring line

    def statement(self, stmt: nodes.Statement, after_body: nodes.Pos | None) -> None:
        if after_body is not None:
            self.report.error("declaration-after-step", stmt.pos,
                              f"`{_keyword(stmt)}` must come before the first step",
                              f"move it above line {after_body.line}: defaults, the source and "
                              "refs apply to the whole recipe")
            return
        match stmt:
            case nodes.Version():
                self._version(stmt)
            case nodes.Setting():
                self._setting(stmt)
            case nodes.SourceDecl():
                self._source(stmt)
            case nodes.RefDecl():
                self._ref(stmt)

    def _first(self, key: str, pos: nodes.Pos) -> bool:
        if key in self.setting_lines:
            self.report.error("duplicate-setting", pos, f"`{key}` is set twice",
                              f"first set on line {self.setting_lines[key]}; keep one")
            return False
        self.setting_lines[key] = pos.line
        return True

    def _version(self, stmt: nodes.Version) -> None:
        if not self._first("lumaflow", stmt.pos):
            return
        if stmt.number.text not in VERSIONS:
            self.report.error("unsupported-version", stmt.number.pos,
                              f"language version {stmt.number.text} is not supported",
                              "this lumaflow reads version 1: write `lumaflow 1`")

    def _setting(self, stmt: nodes.Setting) -> None:
        key = stmt.key.text
        if self._first(key, stmt.pos):
            value = setting_value(key, stmt.value, self.report)
            if value is not None:
                self.header.settings[key] = value

    def _name(self, name: nodes.Word) -> bool:
        if name.text in self.names:
            self.report.error("duplicate-name", name.pos, f"`{name.text}` is declared twice",
                              f"first declared on line {self.names[name.text]}")
            return False
        self.names[name.text] = name.pos.line
        return True

    def _asset(self, location: nodes.Location) -> Asset | None:
        text = location.text.value
        found = assets.generation(text) if location.gen else assets.location(text, self.place)
        if isinstance(found, assets.Problem):
            self.report.error(found.code, location.text.pos, found.message, found.hint)
            return None
        return found

    def _source(self, stmt: nodes.SourceDecl) -> None:
        if "source" in self.setting_lines:
            self.report.error("duplicate-source", stmt.pos, "a recipe has at most one source",
                              f"the source is declared on line {self.setting_lines['source']}; "
                              "use `ref` for other images")
            return
        self.setting_lines["source"] = stmt.pos.line
        fresh = self._name(stmt.name)
        asset = self._asset(stmt.location)
        if fresh and asset is not None:
            self.header.source = SourceImage(name=stmt.name.text, asset=asset, span=stmt.span)

    def _ref(self, stmt: nodes.RefDecl) -> None:
        fresh = self._name(stmt.name)
        asset = self._asset(stmt.location)
        if fresh and asset is not None:
            role = values.role(stmt.role, self.report)
            ref = Ref(name=stmt.name.text, asset=asset, role=role, span=stmt.span)
            self.header.refs[ref.name] = (ref, stmt)


def _keyword(stmt: nodes.Statement) -> str:
    match stmt:
        case nodes.Version():
            return "lumaflow"
        case nodes.Setting():
            return stmt.key.text
        case nodes.SourceDecl():
            return "source"
        case _:
            return "ref"


_BODY = (nodes.Step, nodes.Save, nodes.Branch)  # a tuple: `A | B | C` is rebuilt per call


def _is_body(stmt: nodes.Statement) -> bool:
    return isinstance(stmt, _BODY)


def _check_header(document: nodes.Document, report: Report, place: assets.Place
                  ) -> _HeaderChecker:
    """Judge the declarations; any that follow the first step are errors."""
    header = _HeaderChecker(report, place)
    first = next((s.pos for s in document.statements if _is_body(s)), None)
    for stmt in document.statements:
        if not _is_body(stmt):
            header.statement(stmt, first if first and first.line < stmt.pos.line else None)
    return header


def _scope(header: _HeaderChecker, place: assets.Place) -> Scope:
    found = header.header
    return Scope(
        settings=Settings(**{k: v for k, v in found.settings.items() if k in SETTING_KEYS}),
        source=found.source, source_declared="source" in header.setting_lines,
        refs={name: ref for name, (ref, _) in found.refs.items()}, place=place,
    )


def check(document: nodes.Document, *, allow_outside: bool = False) -> CheckResult:
    """Judge a parsed recipe. Files are read and hashed; nothing else is touched."""
    report = Report(document.path)
    resolved = document.path.resolve()
    place = assets.place_at(resolved, allow_outside=allow_outside)
    header = _check_header(document, report, place)
    scope = _scope(header, place)
    body = [s for s in document.statements if isinstance(s, _BODY)]
    checker = BodyChecker(report, scope, declared=header.names)
    items = checker.body(body)
    checker.finish({name: decl for name, (_, decl) in header.header.refs.items()}, body)
    diagnostics = tuple(sorted(report.found, key=Diagnostic.sort_key))
    if report.failed:
        return CheckResult(recipe=None, diagnostics=diagnostics)
    recipe = Recipe(
        path=resolved, project_root=place.root, settings=scope.settings,
        source=scope.source, refs=tuple(scope.refs.values()), body=items,
    )
    return CheckResult(recipe=recipe, diagnostics=diagnostics)
