"""Hive's variable substitution, done on the statement text before parsing.

``${hiveconf:x}``, ``${hivevar:x}``, ``${x}`` (hivevar first, then hiveconf),
``${env:X}`` and ``${system:x}``.  As in Hive, substitution is repeated (a value may
contain variables) up to :data:`MAX_DEPTH` rounds, and an undefined variable stays as
written; the caller gets the list of those names to warn about.
"""
from __future__ import annotations

import dataclasses
import getpass
import os
import re
from pathlib import Path
from typing import Callable

from .positions import Edits

MAX_DEPTH = 40
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
                      env: dict[str, str] | None = None) -> Substitution:
    """:func:`substitute`, also recording where each top-level variable was."""
    env = os.environ if env is None else env
    undefined: list[str] = []

    def resolve(match: re.Match[str]) -> str:
        ref = match.group(1)
        prefix, _, name = ref.partition(":")
        if not name:
            value = lookup(f"hivevar:{ref}")
            if value is None:
                value = lookup(f"hiveconf:{ref}")
        elif prefix == "env":
            value = env.get(name)
        elif prefix == "system":
            value = _system(name)
        elif prefix in ("hiveconf", "hivevar"):
            value = lookup(ref)
        else:
            value = None
        if value is None:
            if ref not in undefined:
                undefined.append(ref)
            return match.group(0)
        return value

    # Hive's way: substitute the whole text again and again until nothing changes
    final = text
    for _ in range(MAX_DEPTH):
        replaced = _VAR.sub(resolve, final)
        if replaced == final:
            break
        final = replaced
    # the same, one top-level variable at a time, to know where each one went
    edits, pieces, last = Edits(), [], 0
    for match in _VAR.finditer(text):
        value = resolve(match)
        for _ in range(MAX_DEPTH - 1):
            again = _VAR.sub(resolve, value)
            if again == value:
                break
            value = again
        pieces += [text[last:match.start()], value]
        if value != match.group(0):
            edits.add(match.start(), match.end(), len(value))
        last = match.end()
    pieces.append(text[last:])
    return Substitution(final, undefined, edits if "".join(pieces) == final else None)
