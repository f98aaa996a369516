"""Statements about partitions and files that sqlglot does not parse.

``MSCK [REPAIR] TABLE t [ADD|DROP|SYNC PARTITIONS]``,
``ALTER TABLE t ADD [IF NOT EXISTS] PARTITION (k='v', …) [LOCATION '…'] [PARTITION …]``,
``ALTER TABLE t DROP [IF EXISTS] PARTITION (…)[, PARTITION (…)]`` and
``SHOW PARTITIONS t [PARTITION (…)]``.  :func:`parse_partition_statement` returns
``None`` for any other text, which then goes to sqlglot as usual.
"""
from __future__ import annotations

import dataclasses
import re

from sqlglot import exp

from ..errors import ParseError
from .table_names import TableName


@dataclasses.dataclass(frozen=True)
class PartitionSpec:
    """``PARTITION (k1='v1', k2)``: names lower case; a value of None is a dynamic key."""

    pairs: tuple[tuple[str, str | None], ...]

    def as_dict(self) -> dict[str, str | None]:
        return dict(self.pairs)

    def __str__(self) -> str:
        return "/".join(f"{k}={v}" if v is not None else k for k, v in self.pairs)


def spec_of_node(node: exp.Expression | None, *, dynamic: bool) -> PartitionSpec:
    """A ``PARTITION (…)`` node as sqlglot parsed it (in INSERT, LOAD DATA, ALTER TABLE)
    as a spec; ``dynamic``: a bare name (a dynamic key) is allowed.  No node: an empty spec."""
    if node is None or (dynamic and not isinstance(node, exp.Partition)):
        return PartitionSpec(())
    pairs: list[tuple[str, str | None]] = []
    for item in node.expressions:
        if isinstance(item, exp.EQ):
            value = item.expression
            text = value.this if isinstance(value, exp.Literal) else value.sql(dialect="hive")
            pairs.append((item.this.name.lower(), str(text)))
        elif dynamic and isinstance(item, (exp.Column, exp.Identifier)):
            pairs.append((item.name.lower(), None))
        elif dynamic:
            raise ParseError(f"unsupported partition spec item {item.sql(dialect='hive')}", line=1, col=1)
        else:
            raise ParseError("a partition spec needs key=value pairs", line=1, col=1)
    return PartitionSpec(tuple(pairs))


@dataclasses.dataclass(frozen=True)
class RepairTable:
    """``MSCK REPAIR TABLE``: ``mode`` is ``add`` (Hive's default), ``drop`` or ``sync``."""

    table: TableName
    mode: str = "add"


@dataclasses.dataclass(frozen=True)
class AddPartitions:
    table: TableName
    partitions: tuple[tuple[PartitionSpec, str | None], ...]
    if_not_exists: bool = False


@dataclasses.dataclass(frozen=True)
class DropPartitions:
    table: TableName
    partitions: tuple[PartitionSpec, ...]
    if_exists: bool = False


@dataclasses.dataclass(frozen=True)
class ShowPartitions:
    table: TableName
    spec: PartitionSpec | None = None


PartitionStatement = RepairTable | AddPartitions | DropPartitions | ShowPartitions

_NAME = r"(?:`[^`]+`|[A-Za-z_][\w$]*)"
_QNAME = rf"(?P<table>{_NAME}(?:\s*\.\s*{_NAME})?)"
_MSCK = re.compile(rf"^msck\s+(?:repair\s+)?table\s+{_QNAME}(?:\s+(?P<mode>add|drop|sync)\s+partitions)?\s*$",
                   re.I | re.S)
_ALTER = re.compile(rf"^alter\s+table\s+{_QNAME}\s+(?P<verb>add|drop)\s+(?P<exists>if\s+(?:not\s+)?exists\s+)?"
                    r"(?P<rest>partition\b.*)$", re.I | re.S)
_SHOW = re.compile(rf"^show\s+partitions\s+{_QNAME}(?P<rest>\s+partition\b.*)?\s*$", re.I | re.S)


def _table(text: str) -> TableName:
    parts = [p.strip().strip("`").lower() for p in re.findall(_NAME, text)]
    return TableName(parts[-1], parts[0] if len(parts) > 1 else None)


def parse_partition_statement(text: str) -> PartitionStatement | None:
    """The statement ``text`` (comments already stripped) if it is one of this module's."""
    body = text.strip().rstrip(";").strip()
    head = body[:6].lower()
    if head.startswith("msck"):
        m = _MSCK.match(body)
        if not m:
            raise ParseError("expected MSCK [REPAIR] TABLE name [ADD|DROP|SYNC PARTITIONS]", line=1, col=1)
        return RepairTable(_table(m.group("table")), (m.group("mode") or "add").lower())
    if head == "alter ":
        m = _ALTER.match(body)
        if not m:
            return None
        verb = m.group("verb").lower()
        exists = m.group("exists") or ""
        if verb == "add" and exists and "not" not in exists.lower():
            raise ParseError("ALTER TABLE … ADD takes IF NOT EXISTS", line=1, col=1)
        if verb == "drop" and "not" in exists.lower():
            raise ParseError("ALTER TABLE … DROP takes IF EXISTS", line=1, col=1)
        scanner = _Scanner(m.group("rest"))
        table = _table(m.group("table"))
        if verb == "add":
            partitions = []
            while not scanner.done():
                scanner.keyword("partition")
                spec = scanner.spec(dynamic=False)
                location = None
                if scanner.peek_keyword("location"):
                    scanner.keyword("location")
                    location = scanner.string()
                partitions.append((spec, location))
            return AddPartitions(table, tuple(partitions), bool(exists))
        specs = []
        while True:
            scanner.keyword("partition")
            specs.append(scanner.spec(dynamic=False))
            if scanner.done():
                break
            scanner.punct(",")
        return DropPartitions(table, tuple(specs), bool(exists))
    if head.startswith("show"):
        m = _SHOW.match(body)
        if not m:
            return None
        spec = None
        if m.group("rest"):
            scanner = _Scanner(m.group("rest"))
            scanner.keyword("partition")
            spec = scanner.spec(dynamic=False)
            if not scanner.done():
                raise ParseError("unexpected text after SHOW PARTITIONS … PARTITION (…)", line=1, col=1)
        return ShowPartitions(_table(m.group("table")), spec)
    return None


class _Scanner:
    """Just enough of a tokenizer for partition specs and LOCATION strings."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0

    def _skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def done(self) -> bool:
        self._skip()
        return self.pos >= len(self.text)

    def peek_keyword(self, word: str) -> bool:
        self._skip()
        end = self.pos + len(word)
        return self.text[self.pos:end].lower() == word and (end >= len(self.text) or not self.text[end].isalnum())

    def keyword(self, word: str) -> None:
        if not self.peek_keyword(word):
            raise ParseError(f"expected {word.upper()} near '{self.text[self.pos:self.pos + 20]}'", line=1, col=1)
        self.pos += len(word)

    def punct(self, char: str) -> None:
        self._skip()
        if self.text[self.pos:self.pos + 1] != char:
            raise ParseError(f"expected '{char}' near '{self.text[self.pos:self.pos + 20]}'", line=1, col=1)
        self.pos += 1

    def name(self) -> str:
        self._skip()
        m = re.compile(_NAME).match(self.text, self.pos)
        if not m:
            raise ParseError(f"expected a column name near '{self.text[self.pos:self.pos + 20]}'", line=1, col=1)
        self.pos = m.end()
        return m.group(0).strip("`").lower()

    def string(self) -> str:
        self._skip()
        quote = self.text[self.pos:self.pos + 1]
        if quote not in ("'", '"'):
            raise ParseError(f"expected a quoted string near '{self.text[self.pos:self.pos + 20]}'", line=1, col=1)
        out = []
        i = self.pos + 1
        while i < len(self.text):
            c = self.text[i]
            if c == "\\" and i + 1 < len(self.text):
                out.append(_ESCAPES.get(self.text[i + 1], self.text[i + 1]))
                i += 2
                continue
            if c == quote:
                self.pos = i + 1
                return "".join(out)
            out.append(c)
            i += 1
        raise ParseError("unterminated string", line=1, col=1)

    def value(self) -> str:
        self._skip()
        if self.text[self.pos:self.pos + 1] in ("'", '"'):
            return self.string()
        m = re.compile(r"[-+]?[\w.]+").match(self.text, self.pos)
        if not m:
            raise ParseError(f"expected a partition value near '{self.text[self.pos:self.pos + 20]}'", line=1, col=1)
        self.pos = m.end()
        return m.group(0)

    def spec(self, *, dynamic: bool) -> PartitionSpec:
        self.punct("(")
        pairs = []
        while True:
            key = self.name()
            self._skip()
            if self.text[self.pos:self.pos + 1] == "=":
                self.pos += 1
                pairs.append((key, self.value()))
            elif dynamic:
                pairs.append((key, None))
            else:
                raise ParseError(f"partition key '{key}' needs a value", line=1, col=1)
            self._skip()
            if self.text[self.pos:self.pos + 1] == ",":
                self.pos += 1
                continue
            self.punct(")")
            return PartitionSpec(tuple(pairs))


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "'": "'", '"': '"'}
