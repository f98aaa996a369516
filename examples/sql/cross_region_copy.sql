-- Copying a DynamoDB table across AWS regions (the published "Copying a DynamoDB table across
-- AWS regions"), as published, with a query at the end to show the copies.
--   ddbsql -f cross_region_copy.sql                       (against AWS)
--   ddbsql --local -i examples/sql/cross_region_setup.sql -f examples/sql/cross_region_copy.sql

DROP TABLE IF EXISTS nddb_euwest1_test;
DROP TABLE IF EXISTS nddb_uswest2_test;
DROP TABLE IF EXISTS nddb_useast1_test;

--Primary table in eu-west-1 region
CREATE EXTERNAL TABLE nddb_euwest1_test( uuid_hash STRING, day STRING, name STRING,
value STRING)
	   STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
	   TBLPROPERTIES (
	   "dynamodb.table.name" = "testtable",
	   "dynamodb.region"   = "eu-west-1",
	   "dynamodb.throughput.read.percent" = ".1000",
	   "dynamodb.throughput.write.percent" = ".1000",
	   "dynamodb.column.mapping" =
	   "uuid_hash:uuid_hash,day:day,name:name,value:value");

--Secondary copy in us-west-2
CREATE EXTERNAL TABLE nddb_uswest2_test( uuid_hash STRING, day STRING, name
	    STRING, value STRING)
	       STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
	       TBLPROPERTIES (
	       "dynamodb.table.name" = "kgpai.uswest.test",
	       "dynamodb.region"   = "us-west-2",
	       "dynamodb.throughput.read.percent" = ".4000",
       "dynamodb.throughput.write.percent" = ".4000",
	       "dynamodb.column.mapping" =
	       "uuid_hash:uuid_hash,day:day,name:name,value:value");

--Make a schemaless copy
insert into table nddb_uswest2_test select * from nddb_euwest1_test;


-- Multi inserts allow you to copy to multiple regions at once.
CREATE EXTERNAL TABLE nddb_useast1_test( uuid_hash STRING, day STRING, name
	    STRING, value STRING)
	       STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
	       TBLPROPERTIES (
	       "dynamodb.table.name" = "kgpai.useast.test",
	       "dynamodb.region"   = "us-east-1",
	       "dynamodb.throughput.read.percent" = ".4000",
       "dynamodb.throughput.write.percent" = ".4000",
	       "dynamodb.column.mapping" =
	       "uuid_hash:uuid_hash,day:day,name:name,value:value");

 -- Copy across multiple regions at once
 FROM nddb_euwest1_test
 INSERT INTO nddb_useast1_test select *
 INSERT INTO nddb_uswest2_test select * ;

-- The three regions now hold the same items.
SELECT 'eu-west-1' AS region, count(*) AS items, count(DISTINCT day) AS days FROM nddb_euwest1_test
UNION ALL SELECT 'us-west-2', count(*), count(DISTINCT day) FROM nddb_uswest2_test
UNION ALL SELECT 'us-east-1', count(*), count(DISTINCT day) FROM nddb_useast1_test;
