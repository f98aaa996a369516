-- Local setup for the consolidation job (customer_tracker_consolidate.sql).
-- Creates the monthly source table and the destination table in DynamoDB, then fills the
-- source with generated clicks and orders.  Meant for `ddbsql --local`; against real AWS
-- your tables already exist and you skip this file.
--
--   ddbsql --local -i examples/sql/customer_tracker_setup.sql \
--          -f examples/sql/customer_tracker_consolidate.sql \
--          -hiveconf domain=Devo -hiveconf region=NA -hiveconf yyyymm=201604
--
-- "ddbsql.create"="true" is ddbsql's opt-in extension: create the DynamoDB table when it
-- does not exist, with the key schema given by ddbsql.hash.key / ddbsql.range.key.
-- Plain EMR scripts never need these properties.

set hivevar:rows = 20000;

DROP TABLE IF EXISTS setup_source;
DROP TABLE IF EXISTS setup_destination;

CREATE EXTERNAL TABLE setup_source (CustomerID string, DateTime string, URLClicked string,
                                    OrderID string, ProductID string)
STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
TBLPROPERTIES ("dynamodb.table.name" = "CustomerTracker_${hiveconf:domain}_${hiveconf:region}_${hiveconf:yyyymm}",
               "dynamodb.column.mapping" = "CustomerID:CustomerID,DateTime:DateTime,URLClicked:URLClicked,OrderID:OrderID,ProductID:ProductID",
               "ddbsql.create" = "true",
               "ddbsql.hash.key" = "CustomerID",
               "ddbsql.range.key" = "DateTime");

CREATE EXTERNAL TABLE setup_destination (CustomerID string, CreationDateTime bigint)
STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
TBLPROPERTIES ("dynamodb.table.name" = "${hiveconf:domain}_${hiveconf:region}_AnniversaryPromo_2017",
               "ddbsql.create" = "true",
               "ddbsql.hash.key" = "CustomerID",
               "ddbsql.range.key" = "CreationDateTime");

-- ten digits crossed five times: up to 100 000 generated rows
DROP TABLE IF EXISTS setup_digits;
CREATE TABLE setup_digits (d int);
INSERT INTO TABLE setup_digits VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9);

DROP TABLE IF EXISTS setup_numbers;
CREATE TABLE setup_numbers AS
SELECT a.d * 10000 + b.d * 1000 + c.d * 100 + e.d * 10 + f.d AS n
FROM setup_digits a CROSS JOIN setup_digits b CROSS JOIN setup_digits c
     CROSS JOIN setup_digits e CROSS JOIN setup_digits f;

-- Clicks of 997 customers over the month.  Every third click is an order; some clicks
-- carry an empty OrderID, others none at all (a missing attribute reads as NULL).
INSERT OVERWRITE TABLE setup_source
SELECT concat('c', lpad(cast(n % 997 AS string), 4, '0'))                        AS CustomerID,
       concat('2016-04-', lpad(cast(1 + n % 30 AS string), 2, '0'), 'T',
              lpad(cast(n % 24 AS string), 2, '0'), ':', lpad(cast(n % 60 AS string), 2, '0'), ':',
              lpad(cast(n % 59 AS string), 2, '0'), '.', lpad(cast(n % 1000 AS string), 3, '0'), 'Z') AS DateTime,
       concat('https://shop.example.com/p/', cast(n % 313 AS string))             AS URLClicked,
       CASE WHEN n % 3 = 0 THEN concat('o-', cast(n AS string))
            WHEN n % 3 = 1 THEN ''
            ELSE NULL END                                                         AS OrderID,
       concat('p', cast(n % 313 AS string))                                       AS ProductID
FROM setup_numbers
WHERE n < ${hivevar:rows};

DROP TABLE setup_numbers;
DROP TABLE setup_digits;
DROP TABLE setup_source;
DROP TABLE setup_destination;
