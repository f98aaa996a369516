"""Running one measurement in a process of its own and reading its peak RSS."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def peak_rss_mb() -> float:
    """This process's peak resident set in MB: ``VmHWM`` of ``/proc/self/status``.

    Not ``getrusage``'s ``ru_maxrss``: Linux keeps that across ``exec``, so a child
    started by a large parent reports at least the parent's size at the fork (the
    bench's parent holds the generated test data).  ``VmHWM`` belongs to the process's
    own address space, new at ``exec``.  Falls back to ``ru_maxrss`` elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def with_peak_rss(result: dict) -> dict:
    """``result`` with ``peak_rss_mb`` (:func:`peak_rss_mb`), for a child's JSON line."""
    return {**result, "peak_rss_mb": peak_rss_mb()}


def run_json(command: list[str]) -> dict:
    """Run ``command`` (it prints one JSON object as its last line); that object, with
    ``rss_mb``, the process's peak resident set: the ``peak_rss_mb`` the child reported
    (:func:`with_peak_rss`), else ``os.wait4``'s ``ru_maxrss``, which may include the
    parent's size at the fork.  Raises ``RuntimeError`` with the end of its stderr if
    it fails."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(command[2:4])} failed:\n{err.read().decode()[-3000:]}")
        result = json.loads(out.read().decode().strip().splitlines()[-1])
    result["rss_mb"] = result.pop("peak_rss_mb", None) or usage.ru_maxrss / 1024  # Linux reports KiB
    return result
