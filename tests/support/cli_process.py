"""The ``ddbsql`` command run as a real process (for kills and resumes), on one endpoint
and metastore under ``cwd``."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, cwd: Path, endpoint: str, wait: bool = True, timeout: float = 120):
    """Run ``ddbsql ARGS``: the completed process, or with ``wait=False`` the running one."""
    env = dict(os.environ, DDBSQL_HOME=str(cwd / "home"), PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "ddbsql", "--endpoint-url", endpoint, "--region", "us-east-1",
               "--metastore", str(cwd / "metastore.db"), *args]
    if not wait:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
