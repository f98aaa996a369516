"""Run a Hive script with its DynamoDB reads and writes on Spark: ``python -m ddbsql.spark``.

The equivalent of ``ddbsql -f job.sql`` for tables too big for one machine::

    python -m ddbsql.spark -f job.sql --master 'local[8]' -hiveconf yyyymm=201604

Every statement goes through ddbsql's script handling (splitting, ``${…}``
substitution, ``SET``, DDL, the metastore), except these, which Spark runs:

* ``SELECT …`` reading only DynamoDB tables: rows printed tab-separated;
* ``INSERT INTO|OVERWRITE TABLE t SELECT …`` into a DynamoDB table, reading only
  DynamoDB tables: the SELECT runs in Spark SQL and its rows are written through
  format ``ddbsql`` (columns by position, as Hive), the job report on stderr.

Each DynamoDB table a statement reads becomes a temporary view over format
``ddbsql`` made for that statement alone (so each statement's WHERE is pushed
afresh).  The SET-able ``dynamodb.*``/``ddbsql.*`` keys set so far are passed as options.
Everything else, and statements reading local tables or files, run in ddbsql itself.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from sqlglot import exp

from ..catalog.model import TableKind
from ..catalog.store import default_home
from ..cli.output import make_writer
from ..config import HONOURED
from ..errors import DdbsqlError
from ..exec.clients import AwsOptions
from ..session.session import Session, SessionOptions
from ..sql.statements import SqlStatement, parse_statement
from ..sql.script import split_statements
from ..sql.substitute import substitute


class SparkScriptRunner:
    """Runs statements on ``spark`` (format ddbsql registered) or in ``session``."""

    def __init__(self, spark, registration, session: Session, metastore: str, aws: AwsOptions, *,
                 out: TextIO = sys.stdout, err: TextIO = sys.stderr):
        self.spark = spark
        self.registration = registration
        self.session = session
        self.metastore = metastore
        self.aws = aws
        self.out = out
        self.err = err
        self.on_spark = 0

    def run_script(self, text: str) -> None:
        """Every statement of ``text`` in order; the first failure raises."""
        for statement in split_statements(text):
            self.run(statement.text)

    def run(self, text: str) -> None:
        substituted, _ = substitute(text, self.session.settings.lookup)
        parsed = parse_statement(substituted)
        if isinstance(parsed, SqlStatement) and self._spark_runs(parsed.tree):
            self.on_spark += 1
            self._run_on_spark(parsed.tree)
            return
        result = self.session.execute(text)
        try:
            if result.schema is not None:
                self._print(result.schema.names, result.batches)
        finally:
            result.close()
        for message in result.messages:
            print(message, file=self.err)

    def _print(self, names: list[str], batches) -> None:
        """Rows as the ddbsql command line prints them (Hive's tab-separated text)."""
        writer = make_writer("tsv", self.out, header=False)
        writer.write_header(names)
        for batch in batches:
            writer.write_batch(batch)
        writer.close()

    # which statements Spark runs
    def _tables(self, tree: exp.Expression) -> list[exp.Table] | None:
        """The catalog tables ``tree`` reads, or None when one is not a DynamoDB table."""
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        found = []
        for table in tree.find_all(exp.Table):
            if not table.db and table.name.lower() in ctes:
                continue
            definition = self.session.catalog_table(table.name, table.db.lower() or None, missing_ok=True)
            if definition is None or definition.kind is not TableKind.DYNAMODB:
                return None
            found.append(table)
        return found

    def _spark_runs(self, tree: exp.Expression) -> bool:
        if isinstance(tree, exp.Insert):
            target = tree.this
            if not isinstance(target, exp.Table) or tree.expression is None:
                return False    # an explicit column list or a directory: ddbsql
            definition = self.session.catalog_table(target.name, target.db.lower() or None, missing_ok=True)
            if definition is None or definition.kind is not TableKind.DYNAMODB:
                return False
            tables = self._tables(tree.expression)
            return bool(tables)
        if isinstance(tree, exp.Select):
            tables = self._tables(tree)
            return bool(tables)
        return False

    # running on Spark
    def _options(self) -> dict[str, str]:
        options = {"metastore": self.metastore}
        if self.aws.endpoint_url:
            options["endpoint"] = self.aws.endpoint_url
        if self.aws.region:
            options["region"] = self.aws.region
        if self.aws.profile:
            options["profile"] = self.aws.profile
        options.update({k: v for k, v in self.session.settings.hiveconf.items() if k in HONOURED
                        and k.startswith(("dynamodb.", "ddbsql."))})
        return options

    def _query_sql(self, query: exp.Expression) -> str:
        query = query.copy()
        for number, table in enumerate(list(self._tables(query) or [])):
            database = (table.db or self.session.database).lower()
            qualified = f"{database}.{table.name.lower()}"
            view = f"ddbsql_view_{self.on_spark}_{number}"
            (self.spark.read.format("ddbsql").options(**self._options()).option("table", qualified).load()
             .createOrReplaceTempView(view))
            replacement = exp.Table(this=exp.to_identifier(view))
            replacement.set("alias", exp.TableAlias(this=exp.to_identifier(table.alias_or_name)))
            table.replace(replacement)
        return query.sql(dialect="spark")

    def _run_on_spark(self, tree: exp.Expression) -> None:
        if isinstance(tree, exp.Select):
            table = self.spark.sql(self._query_sql(tree)).toArrow()
            self._print(table.column_names, table.to_batches())
            return
        target = tree.this
        definition = self.session.catalog_table(target.name, target.db.lower() or None)
        frame = self.spark.sql(self._query_sql(tree.expression))
        names = [c.name for c in definition.columns]
        if len(frame.columns) != len(names):
            raise DdbsqlError(f"Cannot insert into target table {definition.name}: the query produces "
                              f"{len(frame.columns)} column(s) but {len(names)} are expected ({', '.join(names)})")
        before = len(self.registration.reports)
        (frame.toDF(*names).write.format("ddbsql").options(**self._options())
         .option("table", definition.qualified).mode("overwrite" if tree.args.get("overwrite") else "append").save())
        for report in self.registration.reports[before:]:
            print(report["summary"], file=self.err)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ddbsql.spark",
                                     description="Run a Hive script with its DynamoDB reads and writes on Spark")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("-f", dest="file", help="script file")
    source.add_argument("-e", dest="sql", help="SQL text")
    parser.add_argument("-i", dest="init", action="append", default=[], help="run this file first (repeatable)")
    parser.add_argument("-hiveconf", "--hiveconf", dest="hiveconf", action="append", default=[], metavar="K=V")
    parser.add_argument("-hivevar", "--hivevar", "-d", dest="hivevar", action="append", default=[], metavar="K=V")
    parser.add_argument("--master", default="local[*]", help="Spark master (default local[*])")
    parser.add_argument("--region")
    parser.add_argument("--profile")
    parser.add_argument("--endpoint-url")
    parser.add_argument("--metastore")
    args = parser.parse_args(argv)

    import ddbsql.spark

    aws = AwsOptions(region=args.region, profile=args.profile, endpoint_url=args.endpoint_url)
    metastore = args.metastore or str(default_home() / "metastore.db")
    session = Session(SessionOptions(aws=aws, metastore=metastore, allow_shell=True, allow_local_files=True,
                                     allow_env=True))
    for pair in args.hiveconf:
        key, _, value = pair.partition("=")
        session.settings.set(key, value)
    for pair in args.hivevar:
        key, _, value = pair.partition("=")
        session.settings.hivevar[key] = value
    spark = ddbsql.spark.local_session(args.master) if args.master.startswith("local") else None
    if spark is None:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.master(args.master).appName("ddbsql").getOrCreate()
    registration = ddbsql.spark.register(spark, filter_pushdown=True)
    runner = SparkScriptRunner(spark, registration, session, metastore, aws)
    try:
        for path in args.init:
            runner.run_script(Path(path).read_text(encoding="utf-8"))
        runner.run_script(Path(args.file).read_text(encoding="utf-8") if args.file else args.sql)
    except DdbsqlError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        registration.close()
        session.close()
        spark.stop()
    return 0
