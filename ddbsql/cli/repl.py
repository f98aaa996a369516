"""The interactive shell: multi-line statements ended by ``;``, history, highlighting,
context completion, aligned results through a pager, Ctrl-C to cancel, Ctrl-D to exit.

Everything runs through the DB-API connection the script runner holds; this module only
prompts, completes and pages (each input's output is printed into buffers, then paged).
"""
from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
from typing import TYPE_CHECKING, Callable, Iterable

from ..catalog.store import default_home
from ..sql.script import is_complete, split_statements
from .completion import KEYWORDS, suggest
from .row_limit import RowLimit
from .scan_warning import SETTING as WARN_SETTING, large_reads

if TYPE_CHECKING:
    from .runner import ScriptRunner

ROW_LIMIT_SETTING = "ddbsql.repl.row.limit"

HELP = """\
Statements end with ';' and may span lines.  Besides SQL:
  SET;  SET key;  SET key=value;  set hivevar:x=1;   show or change settings
  !command;                                          run a shell command
  source FILE;                                       run a script file
  help;                                              this text
  quit; exit;  or Ctrl-D                             leave
  SELECT …\\G                                         end a statement with \\G: its rows printed vertically
  \\x                                                 vertical output on or off
Tab completes keywords, tables, columns, TBLPROPERTIES and SET keys, and file paths.
Right arrow takes the grey suggestion from history; Ctrl-X Ctrl-E edits the input in $EDITOR.
A result of more than ddbsql.repl.row.limit rows (10000) is printed only if you say so.
Ctrl-C cancels the running statement (or clears the input)."""

_VERTICAL_END = re.compile(r"\\G\s*$")

_KEYWORD_WORDS = sorted({w for k in KEYWORDS for w in k.split()}, key=len, reverse=True)
_TOKEN = re.compile(r"(?P<comment>--[^\n]*)|(?P<string>'(?:\\.|[^'\\])*'?|\"(?:\\.|[^\"\\])*\"?)"
                    r"|(?P<number>\b\d+(?:\.\d+)?\b)|(?P<word>[A-Za-z_]\w*)|(?P<variable>\$\{[^}]*\}?)")


class DbapiCatalog:
    """The completion engine's view of the catalog, read through DB-API statements."""

    def __init__(self, runner: "ScriptRunner"):
        self.runner = runner
        self._cache: dict[tuple, list[str]] = {}

    @property
    def current_database(self) -> str:
        return self.runner.connection.database

    def forget(self) -> None:
        self._cache.clear()

    def _rows(self, key: tuple, sql: str) -> list[str]:
        if key not in self._cache:
            try:
                cursor = self.runner.connection.cursor()
                cursor.execute(sql)
                self._cache[key] = [row[0] for row in cursor.fetchall()]
            except Exception:  # completion must never break typing
                self._cache[key] = []
        return self._cache[key]

    def databases(self) -> list[str]:
        return self._rows(("databases",), "SHOW DATABASES")

    def tables(self, database: str) -> list[str]:
        if database not in self.databases():
            return []
        return self._rows(("tables", database), f"SHOW TABLES IN `{database}`")

    def columns(self, database: str, table: str) -> list[str]:
        names = self.tables(database)
        if table not in names:  # a DynamoDB table's name keeps its case
            table = next((n for n in names if n.lower() == table.lower()), None)
            if table is None:
                return []
        return self._rows(("columns", database, table), f"DESCRIBE `{database}`.`{table}`")


def highlight(text: str) -> list[tuple[str, str]]:
    """(style, text) fragments for one line of SQL: keywords, strings, numbers, comments, variables."""
    fragments, pos = [], 0
    words = {w.lower() for w in _KEYWORD_WORDS}
    for match in _TOKEN.finditer(text):
        if match.start() > pos:
            fragments.append(("", text[pos:match.start()]))
        kind = match.lastgroup
        value = match.group(0)
        style = {"comment": "class:comment", "string": "class:string", "number": "class:number",
                 "variable": "class:variable"}.get(kind, "")
        if kind == "word" and value.lower() in words:
            style = "class:keyword"
        fragments.append((style, value))
        pos = match.end()
    if pos < len(text):
        fragments.append(("", text[pos:]))
    return fragments


def page(text: str, out) -> None:
    """Write ``text``; through a pager (``$PAGER``, else ``less -SRFX``) when it does not fit."""
    size = shutil.get_terminal_size((120, 40))
    lines = text.split("\n")
    too_big = len(lines) > size.lines - 2 or any(len(line) > size.columns for line in lines)
    pager = os.environ.get("PAGER", "less -SRFX")
    if too_big and out.isatty() and pager:
        try:
            subprocess.run(pager, shell=True, input=text, text=True, check=False)
            return
        except OSError:
            pass
    out.write(text)
    out.flush()


_READS = re.compile(r"^\s*(?:--[^\n]*\n\s*)*(select|with|from|insert)\b", re.I)


def read_warning(runner: "ScriptRunner", text: str) -> list[str]:
    """For input holding one query or INSERT: its large DynamoDB reads (see
    :func:`~ddbsql.cli.scan_warning.large_reads`), found by EXPLAIN (nothing is read)."""
    statements = split_statements(text)
    if len(statements) != 1 or not _READS.match(statements[0].text):
        return []
    try:
        threshold = float(runner.connection.setting(WARN_SETTING) or 0)
        cursor = runner.connection.cursor()
        cursor.execute("EXPLAIN " + statements[0].text)
        return large_reads(cursor.fetchall(), threshold)
    except Exception:  # the statement's own run reports its errors
        return []


def vertical_request(text: str) -> str | None:
    """``text`` ended with ``\\G`` (MySQL's vertical terminator): the statements, ``;``-ended; else None."""
    if not _VERTICAL_END.search(text):
        return None
    return _VERTICAL_END.sub("", text).rstrip().rstrip(";") + ";"


def ask_to_print_all(err, stdin=None) -> Callable[[int], bool]:
    """The question of the display limit, asked on the terminal (no answer: no)."""
    def ask(limit: int) -> bool:
        err.write(f"The result has more than {limit:,} rows. Print them all? [y/N] ")
        err.flush()
        try:
            answer = (stdin or sys.stdin).readline()
        except (OSError, ValueError, KeyboardInterrupt):
            return False
        return answer.strip().lower() in ("y", "yes")
    return ask


def run_repl(runner: "ScriptRunner") -> None:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
    from prompt_toolkit.completion import Completer, Completion
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.lexers import Lexer
    from prompt_toolkit.shortcuts import confirm
    from prompt_toolkit.styles import Style

    # Ctrl-C must reach the shell even when it was started with SIGINT ignored (nohup, &)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    catalog = DbapiCatalog(runner)

    class SqlCompleter(Completer):
        def get_completions(self, document, complete_event) -> Iterable[Completion]:
            for s in suggest(document.text, document.cursor_position, catalog):
                yield Completion(s.text, start_position=s.start, display_meta=s.kind)

    class SqlLexer(Lexer):
        def lex_document(self, document):
            return lambda number: highlight(document.lines[number])

    bindings = KeyBindings()

    @bindings.add("enter")
    def _(event) -> None:
        buffer = event.current_buffer
        text = buffer.text
        if is_complete(text) or text.strip().lower() in ("help", "quit", "exit", "", "\\x") \
                or vertical_request(text) is not None:
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")

    history = default_home() / "history"
    history.parent.mkdir(parents=True, exist_ok=True)
    style = Style.from_dict({"keyword": "ansiblue bold", "string": "ansigreen", "number": "ansimagenta",
                             "comment": "ansibrightblack italic", "variable": "ansiyellow"})
    session = PromptSession(history=FileHistory(str(history)), key_bindings=bindings, multiline=True,
                            completer=SqlCompleter(), lexer=SqlLexer(), style=style, complete_while_typing=False,
                            auto_suggest=AutoSuggestFromHistory(), enable_open_in_editor=True)
    shell = runner.printer
    if shell.output_format is None:
        shell.default_format = "table"
        shell.header = True
    real_out, real_err = shell.out, shell.err
    chosen_format, expanded = shell.output_format, False
    shell.row_limit = RowLimit(0, ask_to_print_all(real_err))
    real_err.write("ddbsql interactive shell: statements end with ';', 'help;' for help, Ctrl-D to exit.\n")
    while True:
        database = runner.connection.database
        try:
            text = session.prompt(f"ddbsql ({database})> ",
                                  prompt_continuation=lambda width, line, soft: "-> ".rjust(width))
        except KeyboardInterrupt:
            continue
        except EOFError:
            return
        command = text.strip().rstrip(";").strip().lower()
        if command in ("quit", "exit"):
            return
        if command == "help":
            real_err.write(HELP + "\n")
            continue
        if command == "\\x":
            expanded = not expanded
            real_err.write(f"Expanded display is {'on' if expanded else 'off'}.\n")
            continue
        if not command:
            continue
        vertical = vertical_request(text)
        text = vertical or text
        shell.output_format = "vertical" if vertical or expanded else chosen_format
        shell.row_limit.limit = int(runner.connection.setting(ROW_LIMIT_SETTING) or 0)
        warning = read_warning(runner, text)
        if warning:
            real_err.write("This statement reads a lot from DynamoDB:\n  " + "\n  ".join(warning) + "\n")
            try:
                if not confirm("Run it?"):
                    real_err.write(f"Not run. (SET {WARN_SETTING}=0 stops this question.)\n")
                    continue
            except (KeyboardInterrupt, EOFError):
                continue
        # results are collected, then paged; messages follow them, as a reader expects
        printer = shell.with_streams(io.StringIO(), io.StringIO())
        try:
            runner.run_text(text, source="<repl>", printer=printer)
        except KeyboardInterrupt:
            runner.connection.cancel()
            printer.err.write("Cancelled\n")
        finally:
            output, messages = printer.out.getvalue(), printer.err.getvalue()
            catalog.forget()
        page(output, real_out)
        if shell.row_limit.cut:
            messages += (f"Printed the first {shell.row_limit.limit:,} rows (SET {ROW_LIMIT_SETTING}=0 prints "
                         "every row without asking).\n")
        real_err.write(messages)
        real_err.flush()
        if runner.cursor.quit:  # "…; quit;" typed, or a sourced script ended with quit
            return
