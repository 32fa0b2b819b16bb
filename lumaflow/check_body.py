"""Check the body of a recipe: walk steps, saves and branches in order.

Tracks the image each statement would see, the saves made so far (two saves to
one path are an error) and the branch names; each step is judged by StepChecker.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lumaflow import assets, nodes
from lumaflow.check_step import Image, Scope, StepChecker
from lumaflow.recipe import Branch, FileAsset, Item, Save
from lumaflow.values import Report


class BodyChecker:
    def __init__(self, report: Report, scope: Scope, declared: dict[str, int]) -> None:
        self.report = report
        self.scope = scope
        self.steps = StepChecker(report, scope, declared)
        self.saves: dict[Path, int] = {}
        self.branches: dict[str, int] = {}
        assets_ = [ref.asset for ref in scope.refs.values()]
        assets_ += [scope.source.asset] if scope.source else []
        self.inputs = {a.path for a in assets_ if isinstance(a, FileAsset)}

    def body(self, stmts: Sequence[nodes.BodyStatement]) -> tuple[Item, ...]:
        source = self.scope.source
        image = Image(f"the source `{source.name}`", True) if source else None
        return self._block(stmts, image)

    def _block(self, stmts: Sequence[nodes.BodyStatement], image: Image | None
               ) -> tuple[Item, ...]:
        items: list[Item] = []
        for stmt in stmts:
            item: Item | None
            match stmt:
                case nodes.Step():
                    item = self.steps.step(stmt, image)
                    made = item.settings.format if item else None
                    image = Image(f"the step on line {stmt.pos.line}", False, made)
                case nodes.Save():
                    item = self._save(stmt, image)
                case nodes.Branch():
                    item = self._branch(stmt, image)
            if item is not None:
                items.append(item)
        if stmts and isinstance(stmts[-1], nodes.Step):
            self.report.warning("unsaved-result", stmts[-1].pos,
                                "the result of this step is never saved",
                                'add `save "out/NAME.png"` after it')
        return tuple(items)

    def finish(self, refs: dict[str, nodes.RefDecl], body: Sequence[nodes.BodyStatement]
               ) -> None:
        for name, decl in refs.items():
            if name not in self.steps.used:
                self.report.warning("unused-ref", decl.name.pos, f"ref `{name}` is never used",
                                    f"bind it to a step with [{name}], or delete it")
        if not body:
            self.report.warning("no-steps", nodes.Pos(1, 1, 1, 2),
                                "the recipe has no steps: nothing will run")


    def _save(self, stmt: nodes.Save, image: Image | None) -> Save | None:
        if image is None or image.from_source:
            self.report.error("save-before-step", stmt.pos, "nothing to save yet: no step runs "
                              "before this save", "put `save` after the steps it should write")
            return None
        written = stmt.path.value
        path = assets.save_path(written, self.scope.place)
        if isinstance(path, assets.Problem):
            self.report.error(path.code, stmt.path.pos, path.message, path.hint)
            return None
        if path in self.saves:
            self.report.error("duplicate-save", stmt.path.pos,
                              f"`{written}` is already saved on line {self.saves[path]}",
                              "each save writes its own file")
            return None
        self.saves[path] = stmt.pos.line
        self._extension(stmt, path, image.format)
        if path in self.inputs:
            self.report.error("save-overwrites-input", stmt.path.pos,
                              f"saving to `{written}` would overwrite an input image")
            return None
        return Save(written=written, path=path, span=stmt.span)

    def _extension(self, stmt: nodes.Save, path: Path, made: str | None) -> None:
        """Warn when the file name promises another format than the step produces."""
        suffix = path.suffix.lower()
        named = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}.get(suffix)
        if made is not None and named is not None and named != made:
            self.report.warning("save-extension", stmt.path.pos,
                                f"the image is {made.upper()} but the file name ends in `{suffix}`",
                                f"rename it, or add `format {named}` to the step before")

    def _branch(self, stmt: nodes.Branch, image: Image | None) -> Branch | None:
        name = stmt.name.text
        if name in self.branches:
            self.report.error("duplicate-branch", stmt.name.pos, f"two branches named `{name}`",
                              f"the first is on line {self.branches[name]}")
        self.branches.setdefault(name, stmt.pos.line)
        if not stmt.body:
            self.report.error("empty-branch", stmt.name.pos, f"branch `{name}` has no steps")
        body = self._block(stmt.body, image)
        return Branch(name=name, body=body, span=stmt.span)
