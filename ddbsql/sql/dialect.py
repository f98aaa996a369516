"""The HiveQL dialect ddbsql parses: sqlglot's Hive dialect.

Kept in one place so that extensions (extra keywords, functions) are made as data on
this dialect rather than scattered through the code.
"""
from __future__ import annotations

from sqlglot.dialects.hive import Hive


class HiveQL(Hive):
    """sqlglot's Hive dialect, under ddbsql's name."""


DIALECT = HiveQL
