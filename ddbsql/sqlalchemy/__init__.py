"""SQLAlchemy 2 dialect for ddbsql: ``create_engine("ddbsql://?region=eu-west-1")``.

Installed with the ``sqlalchemy`` extra (``pip install 'ddbsql[sqlalchemy]'``), which
registers the ``ddbsql://`` URL scheme.  See :mod:`.ddbsql_dialect`.
"""
from .ddbsql_dialect import DdbsqlDialect, connect_arguments

dialect = DdbsqlDialect

__all__ = ["DdbsqlDialect", "connect_arguments", "dialect"]
