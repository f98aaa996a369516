"""examples/sql/mirror.sql: MERGE … DELETE and replace mode each leave the replica equal to
the primary, deletions included (ddbsql --local, as a user runs it)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "sql"


def test_mirror_example_makes_the_replica_equal(tmp_path):
    env = dict(os.environ, DDBSQL_HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "ddbsql", "--local", "-i", str(EXAMPLES / "mirror_setup.sql"),
                             "-f", str(EXAMPLES / "mirror.sql")], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    check = ["eu-west-1\t300", "us-west-2\t300", "differences\t0"]
    assert result.stdout.split("\n") == check + check + [""]
    assert "deleted 30 stale item(s) not in the result" in result.stderr
    assert "Merged into default.replica_uswest2: 2 updated, 1 deleted, 1 inserted" in result.stderr
