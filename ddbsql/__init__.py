"""ddbsql: SQL over Amazon DynamoDB, compatible with EMR Hive scripts.

``ddbsql.connect()`` opens a PEP 249 connection; see :mod:`ddbsql.dbapi`.
"""
from .dbapi import *  # noqa: F401,F403 - the DB-API names belong at the package top
from .dbapi import __all__ as _dbapi_all

__version__ = "0.1.0"
__all__ = list(_dbapi_all) + ["__version__"]
