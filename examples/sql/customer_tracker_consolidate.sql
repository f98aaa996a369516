-----------------------------------------------------------------------------------------------------------
-- Migrate data from monthly tables into one table (the job of "How to Modify and Export
-- Data between DynamoDB Tables with Amazon EMR"), runnable unchanged on EMR Hive and on ddbsql.
--   Run: ddbsql -hiveconf domain="Devo" -hiveconf region="NA" -hiveconf yyyymm=201604 -f customer_tracker_consolidate.sql
--   Locally: add --local -i examples/sql/customer_tracker_setup.sql
-- Three mistakes of the original script are fixed here (customer_tracker_consolidate_original.sql
-- is the script as published; ddbsql reports each mistake clearly):
--   * "{hiveconf:domain}" lacked its "$" in the source table name;
--   * the query read a column "StartDateTime" the table does not have (it is "DateTime");
--   * "SET dynamodb.throughput.write.percent = 10" is outside EMR's range (0.1 - 1.5).
-----------------------------------------------------------------------------------------------------------

-- start with a clean slate.

DROP TABLE src_table_db;
DROP TABLE dst_table_db;

-- set time to live (expiration date for queries) in seconds. (one year in this example)
set hivevar:ttl = 31536000;

-- set read and write percentage capacities
SET dynamodb.throughput.write.percent = 1.0;
SET dynamodb.throughput.read.percent = 0.5;

!echo "Read Write Capacity Percentages set.";
!echo "USING DOMAIN: ${hiveconf:domain} REGION: ${hiveconf:region} ";
!echo;

-- note that in column mapping it's left side to right side: [ HIVE_COLUMN -> DDB_COLUMN ]

CREATE EXTERNAL TABLE src_table_db (CustomerID string, DateTime string, URLClicked string, OrderID string, ProductID string)
STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
TBLPROPERTIES ("dynamodb.table.name" = "CustomerTracker_${hiveconf:domain}_${hiveconf:region}_${hiveconf:yyyymm}",
	       "dynamodb.column.mapping" = "CustomerID:CustomerID,DateTime:DateTime,URLClicked:URLClicked,OrderID:OrderID,ProductID:ProductID");

!echo "CREATED SOURCE TABLE.";
!echo;

CREATE EXTERNAL TABLE dst_table_db (CustomerID string, CreationDateTime bigint, ExpirationTimestamp bigint, OrderID string)
STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
TBLPROPERTIES ("dynamodb.table.name" = "${hiveconf:domain}_${hiveconf:region}_AnniversaryPromo_2017",
	       "dynamodb.column.mapping" = "CustomerID:CustomerID,CreationDateTime:CreationDateTime,ExpirationTimestamp:ExpirationTimestamp,OrderID:OrderID");


!echo "CREATED DESTINATION TABLE. Describing all tables.. ";
!echo;

DESCRIBE src_table_db;
!echo;
DESCRIBE dst_table_db;

!echo "Starting the copy ... ";
!echo "Using a Time to Live value of ${hivevar:ttl} for the expiration date.";
!echo;

INSERT OVERWRITE TABLE dst_table_db
SELECT CustomerID,
       unix_timestamp(DateTime, 'yyyy-MM-dd') as CreationTimeStamp,
       unix_timestamp(DateTime, 'yyyy-MM-dd') + ${hivevar:ttl} as ExpirationTimeStamp,
       OrderID
FROM src_table_db
WHERE length(OrderID) > 0;

!echo "INSERT COMPLETE.";
!echo "Backfill complete.";

SELECT count(*) AS promo_items, count(DISTINCT CustomerID) AS customers,
       min(CreationDateTime) AS first_day, max(ExpirationTimestamp) AS last_expiry
FROM dst_table_db;
