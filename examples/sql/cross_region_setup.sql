-- Local setup for cross_region_copy.sql: the three DynamoDB tables, in three
-- regions, and 1 000 generated items in the eu-west-1 primary.
--   ddbsql --local -i examples/sql/cross_region_setup.sql -f examples/sql/cross_region_copy.sql
-- "ddbsql.create"="true" is ddbsql's opt-in extension that creates a missing DynamoDB table.

CREATE EXTERNAL TABLE IF NOT EXISTS setup_euwest1 (uuid_hash STRING, day STRING, name STRING, value STRING)
STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
TBLPROPERTIES ("dynamodb.table.name" = "testtable", "dynamodb.region" = "eu-west-1",
               "ddbsql.create" = "true", "ddbsql.hash.key" = "uuid_hash", "ddbsql.range.key" = "day");
CREATE EXTERNAL TABLE IF NOT EXISTS setup_uswest2 (uuid_hash STRING, day STRING)
STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
TBLPROPERTIES ("dynamodb.table.name" = "kgpai.uswest.test", "dynamodb.region" = "us-west-2",
               "ddbsql.create" = "true", "ddbsql.hash.key" = "uuid_hash", "ddbsql.range.key" = "day");
CREATE EXTERNAL TABLE IF NOT EXISTS setup_useast1 (uuid_hash STRING, day STRING)
STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
TBLPROPERTIES ("dynamodb.table.name" = "kgpai.useast.test", "dynamodb.region" = "us-east-1",
               "ddbsql.create" = "true", "ddbsql.hash.key" = "uuid_hash", "ddbsql.range.key" = "day");

CREATE TABLE setup_digits (d int);
INSERT INTO TABLE setup_digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9);

INSERT INTO TABLE setup_euwest1
SELECT concat('u', cast(a.d * 100 + b.d * 10 + c.d AS string)),
       concat('2016-0', cast(1 + c.d % 3 AS string), '-1', cast(b.d AS string)),
       concat('metric-', cast(a.d AS string)),
       cast((a.d * 100 + b.d * 10 + c.d) * 7 % 1000 AS string)
FROM setup_digits a CROSS JOIN setup_digits b CROSS JOIN setup_digits c;

DROP TABLE setup_digits;
DROP TABLE setup_euwest1;
DROP TABLE setup_uswest2;
DROP TABLE setup_useast1;
