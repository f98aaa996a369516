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


def test_query_without_ddl_examples_run(moto_backend, tmp_path):
    """The first section of usage.md runs as written against tables created outside ddbsql."""
    import re

    from support.ddb_env import Env, open_connection

    text = (DOCS / "usage.md").read_text(encoding="utf-8")
    assert re.findall(r"^## .*$", text, re.M)[0] == "## Query without DDL"     # the first section
    section = text[text.index("## Query without DDL"):text.index("## Installing")]
    block = re.search(r"```sql\n(.*?)```", section, re.S).group(1)
    conn = open_connection(moto_backend, tmp_path)
    env = Env(moto_backend, conn, tmp_path)
    try:
        client = moto_backend.client()
        for name in ("Orders", "OrdersCopy"):
            if name in client.list_tables()["TableNames"]:
                client.delete_table(TableName=name)
            env.create_ddb_table(name, hash_key=("customer", "S"), range_key=("orderNo", "N"))
        env.put_items("Orders", [{"customer": {"S": f"c{i % 3}"}, "orderNo": {"N": str(i)},
                                  "total": {"N": f"{i}.5"}} for i in range(20)])
        env.run("CREATE TABLE customers AS SELECT 'c1' AS id, 'Ann' AS name")
        for statement in filter(str.strip, block.split(";")):
            env.run(re.sub(r"--[^\n]*", "", statement))
        assert len(env.scan_items("OrdersCopy")) == 20
        readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
        assert readme.index("dynamodb.Orders") < readme.index("CREATE EXTERNAL TABLE … STORED BY …")
    finally:
        conn.close()
        for name in ("Orders", "OrdersCopy"):
            moto_backend.client().delete_table(TableName=name)
