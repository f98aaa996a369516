"""Split a script into statements the way the Hive CLI does: on ``;`` outside quotes.

Quotes are ``'…'``, ``"…"`` (both with backslash escapes, as in HiveQL) and
```…```; ``--`` starts a comment to the end of the line.  Each piece remembers where
it starts so errors can name the line and column in the file.
"""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class StatementText:
    """One statement of a script: its text (comments kept, ``;`` dropped) and where it starts.

    ``number`` is 1-based among the script's non-empty statements; ``line``/``col`` are
    the 1-based position of the statement's first non-blank character.
    """

    text: str
    number: int
    line: int
    col: int


def split_statements(script: str) -> list[StatementText]:
    """Statements of ``script`` in order; empty ones (only blanks/comments) are skipped.

    A trailing statement without ``;`` is kept (the Hive CLI runs it at end of file).
    """
    pieces: list[tuple[int, int]] = []
    start = 0
    i = 0
    n = len(script)
    quote: str | None = None
    while i < n:
        ch = script[i]
        if quote:
            if ch == "\\" and quote != "`":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in ("'", '"', "`"):
            quote = ch
        elif ch == "-" and script.startswith("--", i):
            end = script.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch == ";":
            pieces.append((start, i))
            start = i + 1
        i += 1
    pieces.append((start, n))

    result: list[StatementText] = []
    for begin, end in pieces:
        text = script[begin:end]
        offset = _first_code_offset(text)
        if offset is None:
            continue
        absolute = begin + offset
        line = script.count("\n", 0, absolute) + 1
        col = absolute - (script.rfind("\n", 0, absolute) + 1) + 1
        result.append(StatementText(text[offset:].rstrip(), len(result) + 1, line, col))
    return result


def _first_code_offset(text: str) -> int | None:
    """Offset of the first character that is neither blank nor inside a ``--`` comment."""
    i = 0
    n = len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text.startswith("--", i):
            end = text.find("\n", i)
            if end < 0:
                return None
            i = end + 1
        else:
            return i
    return None


def strip_comments(text: str) -> str:
    """``text`` without ``--`` comments (outside quotes); line structure is kept."""
    out = []
    i = 0
    n = len(text)
    quote: str | None = None
    while i < n:
        ch = text[i]
        if quote:
            out.append(ch)
            if ch == "\\" and quote != "`" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in ("'", '"', "`"):
            quote = ch
            out.append(ch)
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def is_complete(buffer: str) -> bool:
    """True when ``buffer`` ends a statement with ``;`` outside quotes and comments
    (what the REPL waits for before running)."""
    stripped = strip_comments(buffer).rstrip()
    if not stripped.endswith(";"):
        return False
    quote = None
    i = 0
    while i < len(stripped):
        ch = stripped[i]
        if quote:
            if ch == "\\" and quote != "`":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in ("'", '"', "`"):
            quote = ch
        i += 1
    return quote is None
