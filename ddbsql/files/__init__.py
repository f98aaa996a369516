"""File tables and file output: everything that reads or writes files on S3 or a local disk.

Modules, from the bottom up (each imports only modules listed before it):

- :mod:`.locations`: file systems (the local disk, S3), locations, listing, I/O errors.
- :mod:`.compression`: compressed input and output streams, Hadoop's codec names.
- :mod:`.staging`: new files staged in a hidden folder, then moved into place.
- :mod:`.reading`: what to read (:class:`~.reading.ReadSpec`, :class:`~.reading.Source`)
  and the log of what reading found wrong.
- :mod:`.output_settings`: how to write (:class:`~.output_settings.OutputSpec`) from settings.
- :mod:`.formats`: one module per format (text and Hive's value rules, csv, json,
  parquet/orc, the DynamoDB and EMR export layouts).
- :mod:`.registry`: the one table of formats: STORED AS names, SerDe and I/O format
  classes, the reader and writer of each.
- :mod:`.table_partitions`: partition folders (naming, discovery), specs, pruning through the
  planner's reference filters, the catalog update.
- :mod:`.rows`, :mod:`.file_output`, :mod:`.serde`, :mod:`.partition_writer`: reading a table's
  rows, writing files, the SerDe clauses, writing one INSERT's partitions.

The package sits above ``exec`` (it decodes and encodes DynamoDB items with it) and
``planner`` (pruning), and below ``session``, which binds file tables into statements
and runs the file statements.
"""
