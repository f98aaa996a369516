"""One module per file format; :mod:`ddbsql.files.registry` is the table of them."""
