"""Writing: the targets an INSERT writes (DynamoDB, warehouse and file tables,
directories), their mechanics, reports and resumable jobs.  Imports ``binding``, never
``handlers`` or the session."""
