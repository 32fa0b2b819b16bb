"""The canonical printer: syntax nodes (and every comment) → the one layout of a recipe.

Layout: one statement a line, single spaces, 2-space indent inside branches,
`=` aligned in a run of `ref` lines, two spaces before a trailing comment,
triple-quoted strings re-indented one level under their statement. A blank line
separates the sections (version, defaults, source, refs, steps) and surrounds
each branch; inside a section at most one of the user's blank lines is kept.
Statements are never reordered and no comment is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lumaflow import nodes

INDENT = "  "


@dataclass(frozen=True, slots=True)
class _Entry:
    """A statement or a full-line comment, in the order it appears in its block."""

    line: int
    item: nodes.Statement | nodes.Comment


def _group(item: nodes.Statement | nodes.Comment) -> str:
    match item:
        case nodes.Version():
            return "version"
        case nodes.Setting():
            return "settings"
        case nodes.SourceDecl():
            return "source"
        case nodes.RefDecl():
            return "refs"
        case nodes.Branch():
            return "branch"
        case nodes.Comment():
            return "comment"
        case _:
            return "body"


def text(node: nodes.Text, indent: str) -> str:
    if not node.triple:
        return f'"{node.raw}"'
    inner = [f"{indent}{INDENT}{line}" if line else "" for line in node.raw.split("\n")]
    return '"""\n' + "\n".join(inner) + f'\n{indent}"""'


def value(node: nodes.Value, indent: str) -> str:
    return node.text if isinstance(node, nodes.Word) else text(node, indent)


def location(node: nodes.Location, indent: str) -> str:
    return ("gen " if node.gen else "") + text(node.text, indent)


def _binding(node: nodes.Binding) -> str:
    return node.ref.text + (f" as {node.role.text}" if node.role else "")


def step(node: nodes.Step, indent: str) -> str:
    parts = ["step", node.kind.text + (f":{node.preset.text}" if node.preset else "")]
    if node.text is not None:
        parts.append(text(node.text, indent))
    if node.color is not None:
        parts += ["to", text(node.color, indent)]
    if node.bindings:
        parts.append("[" + ", ".join(_binding(b) for b in node.bindings) + "]")
    parts += [f"{o.key.text} {value(o.value, indent)}" for o in node.options]
    return " ".join(parts)


def statement(node: nodes.Statement, indent: str, pad: int = 0) -> str:
    """One statement on one line (a branch: its opening line only)."""
    match node:
        case nodes.Version():
            return f"lumaflow {node.number.text}"
        case nodes.Setting():
            return f"{node.key.text} {value(node.value, indent)}"
        case nodes.SourceDecl():
            return f"source {node.name.text} = {location(node.location, indent)}"
        case nodes.RefDecl():
            role = f" as {node.role.text}" if node.role else ""
            name = node.name.text.ljust(pad)
            return f"ref {name} = {location(node.location, indent)}{role}"
        case nodes.Step():
            return step(node, indent)
        case nodes.Save():
            return f"save {text(node.path, indent)}"
        case nodes.Branch():
            return f"branch {node.name.text} {{"


def _attached_start(entries: list[_Entry], index: int) -> int:
    """The first of the comment lines directly above entries[index] (they move with it)."""
    start = index
    while (start > 0 and isinstance(entries[start - 1].item, nodes.Comment)
           and entries[start - 1].line == entries[start].line - 1):
        start -= 1
    return start


class _Printer:
    def __init__(self, document: nodes.Document) -> None:
        self.lines = document.source.text.split("\n")
        self.full: list[nodes.Comment] = []
        self.trailing: dict[int, nodes.Comment] = {}
        for comment in document.comments:
            before = self.lines[comment.pos.line - 1][: comment.pos.column - 1]
            if before.strip():
                self.trailing[comment.pos.line] = comment
            else:
                self.full.append(comment)
        self.out: list[str] = []

    def _blank(self, line: int) -> bool:
        return line >= 2 and not self.lines[line - 2].strip()

    def _entries(self, stmts: Sequence[nodes.Statement], first: int, last: int) -> list[_Entry]:
        """The statements of a block and the full-line comments between `first` and `last`."""
        inner = [(s.pos.line, s.pos.end_line) for s in stmts if isinstance(s, nodes.Branch)]
        comments = [
            _Entry(c.pos.line, c) for c in self.full
            if first < c.pos.line < last and not any(a < c.pos.line < b for a, b in inner)
        ]
        return sorted([*(_Entry(s.pos.line, s) for s in stmts), *comments],
                      key=lambda e: e.line)

    def _forced(self, entries: list[_Entry]) -> set[int]:
        """Indexes that get a blank line because a new section starts there."""
        forced: set[int] = set()
        previous: str | None = None
        for index, entry in enumerate(entries):
            group = _group(entry.item)
            if group == "comment":
                continue
            if previous is not None and (group != previous or group == "branch"):
                forced.add(_attached_start(entries, index))
            previous = group
        return forced

    def _pads(self, entries: list[_Entry], blanks: set[int]) -> dict[int, int]:
        """The name width of each ref, so a run of refs lines up its `=`."""
        pads: dict[int, int] = {}
        run: list[int] = []
        for index, entry in enumerate([*entries, None]):
            is_ref = entry is not None and isinstance(entry.item, nodes.RefDecl)
            is_comment = entry is not None and isinstance(entry.item, nodes.Comment)
            if run and (index in blanks or not (is_ref or is_comment)):
                width = max(len(entries[i].item.name.text) for i in run)  # type: ignore[union-attr]
                pads.update(dict.fromkeys(run, width))
                run = []
            if is_ref:
                run.append(index)
        return pads

    def block(self, stmts: Sequence[nodes.Statement], depth: int, first: int, last: int) -> None:
        entries = self._entries(stmts, first, last)
        forced = self._forced(entries)
        blanks = {i for i, e in enumerate(entries)
                  if i > 0 and (i in forced or self._blank(e.line))}
        pads = self._pads(entries, blanks)
        indent = INDENT * depth
        for index, entry in enumerate(entries):
            if index in blanks:
                self.out.append("")
            if isinstance(entry.item, nodes.Comment):
                self.out.append(indent + entry.item.text)
            else:
                self._statement(entry.item, depth, pads.get(index, 0))

    def _emit(self, line: str, end_line: int) -> None:
        comment = self.trailing.pop(end_line, None)
        self.out.append(f"{line}  {comment.text}" if comment else line)

    def _statement(self, node: nodes.Statement, depth: int, pad: int) -> None:
        indent = INDENT * depth
        line = indent + statement(node, indent, pad)
        if not isinstance(node, nodes.Branch):
            self._emit(line, node.pos.end_line)
            return
        opens_alone = node.open_pos.line != node.close_pos.line and not any(
            s.pos.line == node.open_pos.line for s in node.body)
        self._emit(line, node.open_pos.line) if opens_alone else self.out.append(line)
        closing = self.trailing.pop(node.close_pos.line, None)  # `}` is last on its line
        self.block(node.body, depth + 1, node.open_pos.line, node.close_pos.line)
        self.out.append(indent + "}" + (f"  {closing.text}" if closing else ""))


def format_document(document: nodes.Document) -> str:
    """The canonical text of a parsed recipe, ending in one newline (empty if it is empty)."""
    printer = _Printer(document)
    printer.block(document.statements, 0, 0, len(printer.lines) + 1)
    for line in sorted(printer.trailing):  # cannot happen, but never lose a comment
        printer.out.append(printer.trailing[line].text)
    return "\n".join(printer.out) + "\n" if printer.out else ""
