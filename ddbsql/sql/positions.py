"""Mapping positions in rewritten statement text back to the text the user wrote.

Variable substitution and ``?`` numbering change the text before it is parsed; an
error found in the rewritten text must still point at the user's line and column.
An :class:`Edits` records each replacement (where it was in the original, how long
its replacement is) and maps an offset of the result back: a position inside a
replacement maps to the start of what it replaced (the ``${var}``, the ``?``).
"""
from __future__ import annotations

import dataclasses

from sqlglot import exp


@dataclasses.dataclass
class Edits:
    """Replacements made left to right in one text: ``(start, end, new_length)`` each,
    ``start``/``end`` in the original text."""

    replaced: list[tuple[int, int, int]] = dataclasses.field(default_factory=list)

    def add(self, start: int, end: int, new_length: int) -> None:
        self.replaced.append((start, end, new_length))

    def original_offset(self, offset: int) -> int:
        """The offset in the original text of ``offset`` in the edited text."""
        delta = 0
        for start, end, new_length in self.replaced:
            new_start = start + delta
            if offset < new_start:
                break
            if offset < new_start + new_length:
                return start
            delta += new_length - (end - start)
        return offset - delta


def offset_of(text: str, line: int, col: int) -> int:
    """The 0-based offset of 1-based ``line``/``col`` in ``text`` (clamped to the text)."""
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            return len(text)
        start = found + 1
    return min(start + max(col, 1) - 1, len(text))


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def to_original(line: int, col: int | None, edited: str, original: str, *chain: Edits) -> tuple[int, int | None]:
    """``line``/``col`` in ``edited`` (the result of applying ``chain``'s edits to
    ``original`` in order) as a position in ``original``."""
    offset = offset_of(edited, line, col or 1)
    for edits in reversed(chain):
        offset = edits.original_offset(offset)
    new_line, new_col = line_col(original, offset)
    return new_line, (new_col if col is not None else None)


def position_of(node: exp.Expression, text: str) -> tuple[int | None, int | None]:
    """1-based line and column where ``node`` starts in ``text``, when sqlglot kept it."""
    target = node.this if isinstance(node, (exp.Column, exp.Table)) and isinstance(node.this, exp.Expression) else node
    meta = getattr(target, "meta", None) or {}
    start = meta.get("start")
    if start is None:
        return meta.get("line"), meta.get("col")
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    return line, col
