"""Hive CLI commands: SET, !shell and source."""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from ...config import HONOURED, shown
from ...errors import ExecutionError, NotPermittedError
from ...exec.rejects import check_folder
from ...sql.statements import SetCommand, ShellCommand, SourceCommand
from ...sql.script import decode_script
from ..result import Result

if TYPE_CHECKING:
    from ..session import Session

#: settings naming a local folder ddbsql writes to: a statement may set them only where
#: local files are allowed
LOCAL_PATH_SETTINGS = frozenset({"ddbsql.reject.dir"})


def run_set(session: "Session", command: SetCommand) -> Result:
    """``SET``: list, show one key (``key=value`` or ``key is undefined``), or assign."""
    settings = session.settings
    if command.key is None:
        rows = settings.listing()
        if command.verbose:
            listed = {k for k, _ in rows}
            rows += [(k, spec.default) for k, spec in HONOURED.items() if k not in listed and spec.default is not None]
            rows.sort()
        return Result.rows("set", ["set"], [(f"{k}={shown(k, v)}",) for k, v in rows])
    if command.value is None:
        value = settings.lookup(command.key)
        line = f"{command.key}={shown(command.key, value)}" if value is not None else f"{command.key} is undefined"
        return Result.rows("set", ["set"], [(line,)])
    if command.key.removeprefix("hiveconf:").strip() in LOCAL_PATH_SETTINGS:
        if not session.options.allow_local_files:
            raise NotPermittedError(f"SET {command.key}: a local folder; local files are not allowed on this "
                                    "connection (give it to connect(hiveconf=…) or allow local files)")
        check_folder(command.value.strip(), command.key)
    settings.set(command.key, command.value)
    return Result.done("set")


def run_shell(session: "Session", command: ShellCommand) -> Result:
    """``!cmd``: run by ``/bin/sh``; its standard output lines are the result rows."""
    if not session.options.allow_shell:
        raise NotPermittedError("shell commands (!cmd) are disabled on this connection (allow_shell=False)")
    if not command.command:
        return Result.rows("shell", ["output"], [("",)])
    completed = subprocess.run(["/bin/sh", "-c", command.command], capture_output=True, text=True)
    lines = completed.stdout.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    messages = [line for line in completed.stderr.splitlines()]
    if completed.returncode != 0:
        raise ExecutionError(f"shell command failed with exit status {completed.returncode}: {command.command}"
                             + (f": {messages[-1]}" if messages else ""))
    return Result.rows("shell", ["output"], [(line,) for line in lines], messages=messages)


def run_source(session: "Session", command: SourceCommand) -> Result:
    """``source FILE``: the runner executes the returned script's statements."""
    if not session.options.allow_local_files:
        raise NotPermittedError("source FILE is disabled on this connection (allow_local_files=False)")
    path = Path(command.path).expanduser()
    try:
        text = decode_script(path.read_bytes(), str(path))
    except OSError as exc:
        raise ExecutionError(f"cannot read {path}: {exc.strerror}") from None
    return Result("source", script=(str(path), text))
