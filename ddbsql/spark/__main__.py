"""``python -m ddbsql.spark -f job.sql``: see :mod:`ddbsql.spark.run`."""
import sys

from .run import main

sys.exit(main())
