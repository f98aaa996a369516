"""The reference documentation keeps up with the code: every setting ddbsql honours is
described in docs/tblproperties.md, every command-line option in docs/usage.md."""
from pathlib import Path

from ddbsql.cli.main import build_parser
from ddbsql.config import HONOURED

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_honoured_setting_is_documented():
    text = (DOCS / "tblproperties.md").read_text(encoding="utf-8")
    assert [key for key in HONOURED if f"`{key}`" not in text] == []


def test_every_command_line_option_is_documented():
    text = (DOCS / "usage.md").read_text(encoding="utf-8")
    options = [o for action in build_parser()._actions for o in action.option_strings if o.startswith("--")]
    assert [o for o in options if f"`{o}" not in text] == []
