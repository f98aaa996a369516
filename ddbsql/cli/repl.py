"""The interactive shell: read statements until ``;``, run them with the script runner."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..catalog.store import default_home
from ..sql.script import is_complete

if TYPE_CHECKING:
    from .main import ScriptRunner

HELP = """\
Statements end with ';' and may span lines.  Besides SQL:
  SET;  SET key;  SET key=value;  set hivevar:x=1;   show or change settings
  !command;                                          run a shell command
  source FILE;                                       run a script file
  help;                                              this text
Ctrl-C cancels the running statement or clears the input; Ctrl-D exits."""


def run_repl(runner: "ScriptRunner") -> None:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.key_binding import KeyBindings

    history = default_home() / "history"
    history.parent.mkdir(parents=True, exist_ok=True)
    bindings = KeyBindings()

    @bindings.add("enter")
    def _(event) -> None:
        buffer = event.current_buffer
        text = buffer.text
        if is_complete(text) or text.strip().lower() in ("help", "quit", "exit"):
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")

    session = PromptSession(history=FileHistory(str(history)), key_bindings=bindings, multiline=True)
    while True:
        database = runner.connection.session.database
        try:
            text = session.prompt(f"ddbsql ({database})> ", prompt_continuation=lambda w, n, s: "    > ".rjust(w))
        except KeyboardInterrupt:
            continue
        except EOFError:
            return
        stripped = text.strip().rstrip(";").strip().lower()
        if stripped in ("quit", "exit"):
            return
        if stripped == "help":
            runner.err.write(HELP + "\n")
            continue
        try:
            runner.run_text(text, source="<repl>")
        except KeyboardInterrupt:
            runner.connection.cancel()
            runner.err.write("Cancelled\n")
