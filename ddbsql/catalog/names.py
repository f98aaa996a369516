"""The one check of database and table names, applied by every statement that creates
one, before a name is stored or becomes part of a path.

Hive's rule (``MetaStoreUtils.validateName``, Hive 2.3 and 3.1): letters, digits and
underscores, nothing else; at most 128 characters.  Names are kept in lower case.
"""
from __future__ import annotations

import re

from ..errors import CatalogError

MAX_LENGTH = 128
_VALID = re.compile(r"[A-Za-z0-9_]+")


def check_name(name: str, what: str = "table") -> str:
    """``name`` in lower case, or a :class:`CatalogError` when Hive would refuse it.

    ``what`` (``table`` or ``database``) names the kind in the message."""
    if not _VALID.fullmatch(name or ""):
        shown = name if len(name or "") <= 60 else name[:57] + "..."
        raise CatalogError(f"invalid {what} name '{shown}': a {what} name is letters, digits and underscores")
    if len(name) > MAX_LENGTH:
        raise CatalogError(f"invalid {what} name '{name[:57]}...': longer than {MAX_LENGTH} characters")
    return name.lower()
