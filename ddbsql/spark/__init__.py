"""ddbsql as a Spark data source: ``spark.read.format("ddbsql")`` and ``df.write.format("ddbsql")``.

::

    import ddbsql.spark
    registration = ddbsql.spark.register(spark)
    df = (spark.read.format("ddbsql").option("table", "orders")
          .option("metastore", "/path/metastore.db").load())
    df.where("customer_id = 'c1'").show()              # a Query, not a Scan
    df.write.format("ddbsql").mode("append").option("table", "orders_copy").save()
    print(registration.reports[-1]["summary"])

Needs ``pyspark>=4.0`` (``pip install 'ddbsql[spark]'``) and Java; filter pushdown needs
Spark 4.1 or later.  Options: :mod:`ddbsql.spark.options`; budget sharing:
:mod:`ddbsql.spark.budget`; reads and writes: :mod:`ddbsql.spark.source`.
"""
from __future__ import annotations

import dataclasses
import os
import sys

from .budget import BudgetServer
from .source import DdbsqlDataSource

__all__ = ["DdbsqlDataSource", "Registration", "register", "local_session"]


@dataclasses.dataclass
class Registration:
    """What :func:`register` set up: the data source class Spark uses and the budget
    coordinator (None without one).  ``reports``: the job report of every write
    committed since, oldest first (dicts, see :func:`ddbsql.spark.source.job_report`)."""

    source: type
    server: BudgetServer | None

    @property
    def reports(self) -> list[dict]:
        return list(self.server.reports) if self.server else []

    def close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None


def register(spark, *, coordinate: bool = True, host: str = "127.0.0.1",
             filter_pushdown: bool = True) -> Registration:
    """Register format ``ddbsql`` in ``spark``.

    ``coordinate``: start a budget coordinator in this (the driver) process on ``host``
    (an address the executors reach; loopback for ``local[*]``), so the tasks of a job
    share each table's budget exactly (see :mod:`ddbsql.spark.budget`); without it,
    writes need option ``tasks``.  ``filter_pushdown``: set
    ``spark.sql.python.filterPushdown.enabled`` so WHERE clauses reach the planner
    (Spark 4.1+; ignored before).
    """
    pushdown = filter_pushdown and _supports_pushdown()
    if pushdown:
        spark.conf.set("spark.sql.python.filterPushdown.enabled", "true")
    server = BudgetServer(host) if coordinate else None
    # A class made here is pickled by value, so the workers get these attributes with it.
    source = type("DdbsqlDataSource", (DdbsqlDataSource,), {
        "__module__": DdbsqlDataSource.__module__, "__qualname__": "DdbsqlDataSource_registered",
        "__doc__": DdbsqlDataSource.__doc__,
        "coordinator": server.address if server else None, "filter_pushdown": pushdown})
    spark.dataSource.register(source)
    return Registration(source, server)


def _supports_pushdown() -> bool:
    import pyspark.sql.datasource as api

    return hasattr(api, "EqualTo")


def local_session(master: str = "local[2]", app_name: str = "ddbsql", **conf):
    """A SparkSession on this machine, bound to loopback, whose Python workers run this
    interpreter (so they import the same ddbsql); ``conf``: further Spark settings."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.master(master).appName(app_name)
               .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session
