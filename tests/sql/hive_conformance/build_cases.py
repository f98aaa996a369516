"""Build cases.json from a Hive source tree: the SELECT statements of Hive's
``clientpositive`` regression tests that read only Hive's standard fixture tables (or
no table), paired with the rows Hive printed for them in the matching ``.q.out``.

    python tests/sql/hive_conformance/build_cases.py <hive checkout> > tests/sql/hive_conformance/cases.json

The tree used: a CDH 6.3.1 build of Hive 2.1.1 (the fixtures in ``data/`` come from
the same tree).  Statements are kept when Hive's answer is deterministic: no LIMIT
without ORDER BY, no random functions, no current date/time, no EXPLAIN, and at most
``MAX_ROWS`` rows; statements calling a function the test registers from its own Java
class (``CREATE TEMPORARY FUNCTION``) are left out, as they are not Hive built-ins.  Each case gets a family from the first matching pattern of
:data:`FAMILIES`.
"""
from __future__ import annotations

import json
import pathlib
import re
import sys

FIXTURE_INPUTS = re.compile(r"^(default@(src|src1|part)|default@srcpart(@.*)?|_dummy_database@_dummy_table)$")
MAX_ROWS = 120
SKIP = re.compile(
    r"\b(rand|random|uuid|current_date|current_timestamp|unix_timestamp\s*\(\s*\)|current_user|"
    r"reflect|java_method|in_file|input__file__name|tablesample|transform|using|"
    r"reflect2|sentences|ngrams|context_ngrams|compute_stats|ewah_bitmap\w*|"
    r"explain|analyze|describe|show|insert|create|drop|alter|load)\b", re.I)

#: (family, pattern): the first pattern found in the statement names its family.
FAMILIES: list[tuple[str, str]] = [
    ("tgf", r"\b(explode|posexplode|inline|stack|json_tuple|parse_url_tuple)\s*\(|lateral\s+view"),
    ("window", r"\bover\s*\(|\bover\s+\w+|\bwindow\s+\w+\s+as\b"),
    ("interval", r"\binterval\b"),
    ("hash", r"\bhash\s*\("),
    ("dates", r"\b(date_add|date_sub|datediff|to_date|unix_timestamp|from_unixtime|date_format|"
              r"year|month|day|dayofmonth|hour|minute|second|weekofyear|months_between|next_day|"
              r"last_day|add_months|trunc|from_utc_timestamp|to_utc_timestamp|quarter|date)\s*\(|"
              r"\b(timestamp|date)\s+'|as\s+(timestamp|date)\b"),
    ("complex", r"\b(struct|named_struct|array|map|sort_array|size|map_keys|map_values|"
                r"array_contains|collect_set|collect_list)\s*\(|\["),
    ("from_first", r"^\s*(--[^\n]*\n\s*)*from\b"),
    ("join", r"\bjoin\b"),
    ("aggregate", r"\bgroup\s+by\b|\b(count|sum|avg|min|max|std|stddev\w*|variance|var_\w+|"
                  r"percentile\w*|histogram_numeric|corr|covar_\w+)\s*\("),
    ("function", r"\b\w+\s*\("),
    ("basic", r""),
]


def family_of(sql: str) -> str:
    for name, pattern in FAMILIES:
        if re.search(pattern, sql, re.I):
            return name
    return "basic"


def _blocks(text: str):
    """(query, inputs, result lines) for each POSTHOOK block of a .q.out file."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].startswith("POSTHOOK: query: "):
            i += 1
            continue
        query = [lines[i][len("POSTHOOK: query: "):]]
        i += 1
        while i < len(lines) and not lines[i].startswith("POSTHOOK: type: "):
            query.append(lines[i])
            i += 1
        kind = lines[i][len("POSTHOOK: type: "):] if i < len(lines) else ""
        i += 1
        inputs, outputs = [], []
        while i < len(lines) and (lines[i].startswith("POSTHOOK: ") or lines[i].startswith("#### A masked")):
            if lines[i].startswith("POSTHOOK: Input: "):
                inputs.append(lines[i][len("POSTHOOK: Input: "):])
            elif lines[i].startswith("POSTHOOK: Output: "):
                outputs.append(lines[i][len("POSTHOOK: Output: "):])
            i += 1
        rows = []
        while i < len(lines) and not lines[i].startswith("PREHOOK: "):
            rows.append(lines[i])
            i += 1
        # Hive's log lines in the output are not rows
        rows = [r for r in rows if not r.startswith(("RUN: Stage-", "Warning: "))]
        while rows and rows[-1] == "":
            rows.pop()
        yield "\n".join(query), kind, inputs, outputs, rows


def _top_level(sql: str) -> str:
    """The statement with parenthesised parts and string literals blanked out."""
    sql = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "''", sql)
    out, depth = [], 0
    for c in sql:
        depth += c == "("
        out.append(c if depth == 0 else " ")
        depth -= c == ")"
    return "".join(out)


def _prints_after(query: str, statements: list[str]) -> bool:
    """Whether the statement after ``query`` in the .q file prints without a
    PREHOOK header of its own (``dfs``, ``set x;``, ``reset``, ``!cmd``)."""
    flat = " ".join(query.split()).lower()
    for i, statement in enumerate(statements[:-1]):
        if statement == flat:
            for after in statements[i + 1:]:
                if re.match(r"(dfs\b|reset\b|!|set\s+[^=\s]+\s*$)", after):
                    return True
                if re.match(r"(select|from|with|insert|create|drop|alter|explain|describe|desc|show|load|"
                            r"use|analyze|truncate)\b", after):
                    return False
            return False
    return False


def cases(root: pathlib.Path):
    results = root / "ql/src/test/results/clientpositive"
    queries = root / "ql/src/test/queries/clientpositive"
    for out in sorted(results.glob("*.q.out")):
        q_file = queries / out.name[:-4]
        if not q_file.exists():
            continue
        q_text = q_file.read_text(errors="replace")
        hashed_results = "SORT_AND_HASH_QUERY_RESULTS" in q_text  # rows followed by their hash
        sorted_results = "SORT_QUERY_RESULTS" in q_text or hashed_results
        if re.search(r"set\s+hive\.cli\.print\.header\s*=\s*true", q_text, re.I):
            continue  # its outputs start with a header line
        q_statements = [" ".join(re.sub(r"--[^\n]*", "", x).split()).lower() for x in q_text.split(";")]
        # functions the test registers from its own Java classes are not Hive built-ins
        test_functions = re.findall(r"create\s+temporary\s+(?:function|macro)\s+(\w+)", q_text, re.I)
        uses_test_function = re.compile(r"\b(" + "|".join(test_functions) + r")\s*\(", re.I) \
            if test_functions else None
        n = 0
        for query, kind, inputs, outputs, rows in _blocks(out.read_text(errors="replace")):
            body = re.sub(r"^\s*(--[^\n]*\n\s*)*", "", query).strip()
            if kind != "QUERY" or not re.match(r"(select|from|with)\b", body, re.I):
                continue
            if outputs and not all(o.startswith("hdfs://") or "masked" in o for o in outputs):
                continue
            if not inputs or not all(FIXTURE_INPUTS.match(x) for x in inputs):
                continue
            if hashed_results and rows and re.fullmatch(r"[A-Za-z0-9+/]{22}==", rows[-1]):
                rows = rows[:-1]
            if uses_test_function and uses_test_function.search(body):
                continue
            if _prints_after(body, q_statements):
                continue  # the rows would include what the next command printed
            if SKIP.search(body) or len(rows) > MAX_ROWS or "#### A masked" in "\n".join(rows):
                continue
            top = _top_level(body).lower()
            ordered = bool(re.search(r"\border\s+by\b", top)) and not sorted_results
            if re.search(r"\blimit\b", top) and not re.search(r"\border\s+by\b", top):
                continue
            n += 1
            yield {"id": f"{out.name[:-6]}#{n}", "family": family_of(body), "sql": body,
                   "ordered": ordered, "rows": rows}


def main(argv: list[str]) -> None:
    found = list(cases(pathlib.Path(argv[1])))
    json.dump(found, sys.stdout, indent=0, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
