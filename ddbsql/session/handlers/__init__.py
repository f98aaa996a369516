"""Statement handlers: one module per family of statements (query, explain, analyze, DDL,
SHOW/DESCRIBE, INSERT, file statements, commands).  They import ``binding``,
``writing`` and ``storage``; the session dispatches to them (see :data:`ddbsql.session.session.HANDLERS`)."""
