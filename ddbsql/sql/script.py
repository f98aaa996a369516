"""Script text as the Hive CLI reads it: quotes, comments, and statements split on ``;``.

Quotes are ``'…'``, ``"…"`` (both with backslash escapes, as in HiveQL) and ```…```; ``--``
starts a comment to the end of the line.  :func:`spans` cuts text into code, quoted and
comment pieces once; everything else here (and placeholder numbering) works on those.
"""
from __future__ import annotations

import dataclasses
from typing import Iterator

from ..errors import ParseError


@dataclasses.dataclass(frozen=True)
class Span:
    """A piece of text: ``kind`` is ``code``, ``quoted`` or ``comment``; ``closed`` is False
    for a quote the text ends inside."""

    kind: str
    start: int
    end: int
    closed: bool = True


def spans(text: str) -> Iterator[Span]:
    """The code, quoted and comment pieces of ``text``, in order, covering all of it."""
    i, n, start = 0, len(text), 0
    while i < n:
        ch = text[i]
        if ch in ("'", '"', "`") or text.startswith("--", i):
            if i > start:
                yield Span("code", start, i)
            if ch == "-":
                end = text.find("\n", i)
                end = n if end < 0 else end
                yield Span("comment", i, end)
                i = start = end
                continue
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" and ch != "`" else 1
            yield Span("quoted", i, min(j + 1, n), closed=j < n)
            i = start = min(j + 1, n)
            continue
        i += 1
    if start < n:
        yield Span("code", start, n)


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
    cuts = [span.start + offset for span in spans(script) if span.kind == "code"
            for offset, ch in enumerate(script[span.start:span.end]) if ch == ";"]
    bounds = zip([0] + [c + 1 for c in cuts], cuts + [len(script)])
    result: list[StatementText] = []
    for begin, end in bounds:
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
    """Offset of the first character that is neither blank nor in a comment."""
    for span in spans(text):
        piece = text[span.start:span.end]
        if span.kind != "comment" and piece.strip():
            return span.start + len(piece) - len(piece.lstrip())
    return None


def strip_comments(text: str) -> str:
    """``text`` without ``--`` comments (outside quotes); line structure is kept."""
    return "".join(text[s.start:s.end] for s in spans(text) if s.kind != "comment")


def is_complete(buffer: str) -> bool:
    """True when ``buffer`` ends a statement with ``;`` outside quotes and comments
    (what the REPL waits for before running)."""
    pieces = [s for s in spans(buffer) if s.kind != "comment" and buffer[s.start:s.end].strip()]
    if not pieces or not pieces[-1].closed:
        return False
    last = pieces[-1]
    return last.kind == "code" and buffer[last.start:last.end].rstrip().endswith(";")


def decode_script(data: bytes, name: str) -> str:
    """A script file's bytes as text: UTF-8, a leading byte order mark dropped.

    Binary content or bytes that are not UTF-8 are a :class:`ParseError` naming the file
    and the line and column of the first bad byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise ParseError(f"{name} is a binary file, not a script (a NUL byte at line {line})")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[data.rfind(b"\n", 0, exc.start) + 1:exc.start].decode("utf-8", "replace")) + 1
        raise ParseError(f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at line {line}, column {col}); "
                         "save it as UTF-8") from None
