"""Planner fixtures: SQL in, EXPLAIN properties out (fixtures/access_plans.txt)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from planning import plans_for  # noqa: E402

from ddbsql.planner.explain import explain_rows  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "access_plans.txt"
OPTIONS = {"consistent_read": lambda v: v == "true", "pushdown": lambda v: v == "true", "segments": int}


def load_cases() -> list:
    cases = []
    text = FIXTURES.read_text()
    for number, block in enumerate(text.split("\n====\n")[1:], 1):
        lines = block.strip("\n").split("\n")
        title = lines[0][2:] if lines[0].startswith("# ") else f"case {number}"
        while lines[0].startswith("# "):
            lines.pop(0)
        options = {}
        while lines[0].startswith("@ "):
            key, _, value = lines.pop(0)[2:].partition("=")
            options[key] = OPTIONS[key](value)
        split = lines.index("--")
        sql = " ".join(lines[:split])
        expected = []
        for line in lines[split + 1:]:
            alias = None
            if line.startswith("["):
                alias, _, line = line[1:].partition("] ")
            key, _, value = line.partition(": ")
            expected.append((alias, key, value))
        cases.append(pytest.param(sql, options, expected, id=f"{number:02d}-{title[:50]}"))
    return cases


@pytest.mark.parametrize("sql, options, expected", load_cases())
def test_plan(sql, options, expected):
    plans = plans_for(sql, **options)
    assert plans, "no DynamoDB table in the query"
    for alias, key, value in expected:
        chosen = [p for a, p in plans if alias is None or a.lower() == alias.lower()]
        assert chosen, f"no table reference '{alias}'"
        if alias is None:
            assert len(plans) == 1, "several table references: name one with [alias]"
        for plan in chosen:
            rows = explain_rows(plan)
            got = [v for k, v in rows if k == key]
            if value == "(absent)":
                assert not got, f"{key} should be absent: {got}"
            else:
                assert value in got, f"{key}: expected {value!r}, got {got!r}\n" + "\n".join(
                    f"  {k}: {v}" for k, v in rows)


def test_fixture_file_has_many_cases():
    assert len(load_cases()) >= 60
