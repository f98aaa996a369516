-- Local setup for mirror.sql: a primary table in eu-west-1 with 300 items, and its
-- replica in us-west-2 holding a stale copy (some items changed since, some deleted in
-- the primary, some new in the primary).
--   ddbsql --local -i examples/sql/mirror_setup.sql -f examples/sql/mirror.sql

CREATE EXTERNAL TABLE IF NOT EXISTS setup_primary (uuid_hash STRING, day STRING, value STRING)
STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
TBLPROPERTIES ("dynamodb.table.name" = "metrics", "dynamodb.region" = "eu-west-1",
               "ddbsql.create" = "true", "ddbsql.hash.key" = "uuid_hash", "ddbsql.range.key" = "day");
CREATE EXTERNAL TABLE IF NOT EXISTS setup_replica (uuid_hash STRING, day STRING, value STRING)
STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
TBLPROPERTIES ("dynamodb.table.name" = "metrics.replica", "dynamodb.region" = "us-west-2",
               "ddbsql.create" = "true", "ddbsql.hash.key" = "uuid_hash", "ddbsql.range.key" = "day");

CREATE TABLE setup_digits (d int);
INSERT INTO TABLE setup_digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9);

-- the replica as it was at the last copy: items 0-299
INSERT INTO TABLE setup_replica
SELECT concat('u', cast(a.d * 100 + b.d * 10 + c.d AS string)), '2016-01-01',
       cast(a.d * 100 + b.d * 10 + c.d AS string)
FROM setup_digits a CROSS JOIN setup_digits b CROSS JOIN setup_digits c WHERE a.d < 3;

-- the primary now: items 30-329 (0-29 were deleted, 300-329 are new), every 7th one changed
INSERT INTO TABLE setup_primary
SELECT concat('u', cast(n AS string)), '2016-01-01',
       CASE WHEN n % 7 = 0 THEN concat(cast(n AS string), ' (changed)') ELSE cast(n AS string) END
FROM (SELECT a.d * 100 + b.d * 10 + c.d AS n
      FROM setup_digits a CROSS JOIN setup_digits b CROSS JOIN setup_digits c) numbers
WHERE n BETWEEN 30 AND 329;

DROP TABLE setup_digits;
DROP TABLE setup_primary;
DROP TABLE setup_replica;
