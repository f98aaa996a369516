"""Binding: the tables a statement reads become DuckDB sources (one per reference, by its
table's kind), and bound SQL runs in DuckDB.  Imports nothing of ``writing``,
``handlers`` or the session; what it needs of a session is
:class:`~.context.StatementContext`."""
