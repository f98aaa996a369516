"""Hive's variable substitution, done on the statement text before parsing.

``${hiveconf:x}``, ``${hivevar:x}``, ``${x}`` (hivevar first, then hiveconf),
``${env:X}`` and ``${system:x}``.  As in Hive, substitution is repeated (a value may
contain variables) up to :data:`MAX_DEPTH` rounds, and an undefined variable stays as
written; the caller gets the list of those names to warn about.

Variables that refer to themselves, directly or through others, are an error naming
the cycle (Hive fails them too, once its depth is exceeded), and so is a text that
grows past :data:`MAX_EXPANDED` characters.  ``${env:X}`` reads the environment only
where the caller allows it (the command line does; a DB-API connection on request).
"""
from __future__ import annotations

import dataclasses
import getpass
import os
import re
from pathlib import Path
from typing import Callable, Mapping

from ..errors import NotPermittedError, ParseError
from .positions import Edits

MAX_DEPTH = 40
#: the longest statement substitution may produce (characters)
MAX_EXPANDED = 16 * 1024 * 1024
_VAR = re.compile(r"\$\{([^{}$]+)\}")


def _system(name: str) -> str | None:
    """The few Java system properties scripts use, mapped to this process."""
    known = {
        "user.name": getpass.getuser,
        "user.home": lambda: str(Path.home()),
        "user.dir": os.getcwd,
        "java.io.tmpdir": lambda: os.environ.get("TMPDIR", "/tmp"),
        "line.separator": lambda: "\n",
        "file.separator": lambda: os.sep,
    }
    getter = known.get(name)
    return getter() if getter else None


def substitute(text: str, lookup: Callable[[str], str | None],
               env: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """Return ``text`` with variables replaced, and the names left undefined.

    ``lookup(key)`` resolves ``hiveconf:x``/``hivevar:x``/plain keys (the session's
    settings); ``env`` defaults to ``os.environ``.
    """
    result = substitute_mapped(text, lookup, env)
    return result.text, result.undefined


@dataclasses.dataclass
class Substitution:
    """The substituted text, the variables left undefined, and where the replacements
    were (None in the rare case a value and the text after it form a new variable, when
    positions cannot be mapped back)."""

    text: str
    undefined: list[str]
    edits: Edits | None


def substitute_mapped(text: str, lookup: Callable[[str], str | None],
                      env: Mapping[str, str] | None = None, *, allow_env: bool = True) -> Substitution:
    """:func:`substitute`, also recording where each top-level variable was.

    ``allow_env=False`` makes ``${env:X}`` a :class:`NotPermittedError`."""
    env = os.environ if env is None else env
    undefined: list[str] = []
    produced = [0]

    def value_of(ref: str) -> str | None:
        prefix, _, name = ref.partition(":")
        if not name:
            value = lookup(f"hivevar:{ref}")
            if value is None:
                value = lookup(f"hiveconf:{ref}")
        elif prefix == "env":
            if not allow_env:
                raise NotPermittedError(f"${{{ref}}}: environment variables are not available on this connection "
                                        "(connect(allow_env=True) allows them)")
            value = env.get(name)
        elif prefix == "system":
            value = _system(name)
        elif prefix in ("hiveconf", "hivevar"):
            value = lookup(ref)
        else:
            value = None
        return value

    def resolve(match: re.Match[str]) -> str:
        ref = match.group(1)
        value = value_of(ref)
        if value is None:
            if ref not in undefined:
                undefined.append(ref)
            return match.group(0)
        produced[0] += len(value)
        if produced[0] > MAX_EXPANDED:
            raise ParseError(f"variable substitution makes the statement longer than {MAX_EXPANDED} characters "
                             f"(at ${{{ref}}})")
        return value

    def sub(piece: str) -> str:
        produced[0] = len(piece)
        return _VAR.sub(resolve, piece)

    _check_cycles(text, value_of)

    # Hive's way: substitute the whole text again and again until nothing changes
    final = text
    for _ in range(MAX_DEPTH):
        replaced = sub(final)
        if replaced == final:
            break
        final = replaced
    # the same, one top-level variable at a time, to know where each one went
    edits, pieces, last = Edits(), [], 0
    for match in _VAR.finditer(text):
        value = resolve(match)
        for _ in range(MAX_DEPTH - 1):
            again = sub(value)
            if again == value:
                break
            value = again
        pieces += [text[last:match.start()], value]
        if value != match.group(0):
            edits.add(match.start(), match.end(), len(value))
        last = match.end()
    pieces.append(text[last:])
    return Substitution(final, undefined, edits if "".join(pieces) == final else None)


def _check_cycles(text: str, value_of: Callable[[str], str | None]) -> None:
    """A :class:`ParseError` naming the first cycle among the variables ``text`` reaches."""
    done: set[str] = set()
    path: list[str] = []

    def visit(ref: str) -> None:
        if ref in done:
            return
        if ref in path:
            cycle = path[path.index(ref):] + [ref]
            raise ParseError("variables refer to themselves: " + " -> ".join(f"${{{r}}}" for r in cycle))
        value = value_of(ref)
        if value is not None:
            if len(path) >= MAX_DEPTH:
                raise ParseError(f"variables nest deeper than {MAX_DEPTH} levels (at ${{{ref}}})")
            path.append(ref)
            for inner in _VAR.findall(value):
                visit(inner)
            path.pop()
        done.add(ref)

    for ref in _VAR.findall(text):
        visit(ref)
