"""Command-line options people bring from other tools: ``--version``, Hive's ``-H``,
beeline's ``--outputformat`` and ``--showHeader``, and shell completion (argcomplete)."""
from __future__ import annotations

import argparse
import os
import platform
import sys
from importlib import metadata

#: beeline's output formats and the ddbsql format each one is
BEELINE_FORMATS = {"csv2": "csv", "tsv2": "tsv", "table": "table", "vertical": "vertical", "json": "json"}
_COMPONENTS = (("DuckDB", "duckdb"), ("pyarrow", "pyarrow"), ("sqlglot", "sqlglot"), ("boto3", "boto3"))


def version_text() -> str:
    """``ddbsql X`` and the versions of the libraries that decide its behaviour."""
    def installed(distribution: str) -> str:
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            return "not installed"
    try:
        own = metadata.version("ddbsql")
    except metadata.PackageNotFoundError:
        from .. import __version__ as own
    parts = [f"{name} {installed(dist)}" for name, dist in _COMPONENTS]
    return f"ddbsql {own}\n{', '.join(parts)}, Python {platform.python_version()}\n"


class _Version(argparse.Action):
    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(version_text())
        parser.exit(0)


def _true_false(text: str) -> bool:
    value = text.strip().lower()
    if value not in ("true", "false"):
        raise argparse.ArgumentTypeError(f"expected true or false, got '{text}'")
    return value == "true"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``-h``/``-H``/``--help`` (build the parser with ``add_help=False``), ``--version``,
    ``--outputformat`` and ``--showHeader``."""
    parser.add_argument("-h", "-H", "--help", action="help", help="show this help and exit (-H as in Hive)")
    parser.add_argument("--version", action=_Version,
                        help="print ddbsql's version and those of DuckDB, pyarrow, sqlglot and boto3, and exit")
    parser.add_argument("--outputformat", choices=sorted(BEELINE_FORMATS), metavar="{csv2,tsv2,table,vertical,json}",
                        help="beeline's name for the result format (csv2 is csv, tsv2 is tsv); as in beeline, "
                             "column names are printed unless --showHeader=false")
    parser.add_argument("--showHeader", dest="show_header", type=_true_false, metavar="true|false",
                        help="beeline's: print column names (true) or not (false)")


def apply(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Fold beeline's options into ``args.output_format`` and ``args.header``."""
    if args.outputformat is not None:
        wanted = BEELINE_FORMATS[args.outputformat]
        if args.output_format is not None and args.output_format != wanted:
            parser.error(f"--output-format {args.output_format} and --outputformat={args.outputformat} disagree")
        args.output_format = wanted
        if args.show_header is None:
            args.show_header = True   # beeline prints the header by default
    if args.show_header is not None:
        if args.header and not args.show_header:
            parser.error("--header and --showHeader=false disagree")
        args.header = args.show_header


def complete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's completion request, when argcomplete made it (then exits)."""
    if "_ARGCOMPLETE" not in os.environ:
        return  # the usual run: argcomplete is not even imported
    try:
        import argcomplete
    except ImportError:
        return
    argcomplete.autocomplete(parser)
