-- A true mirror of a DynamoDB table in another region: unlike the cross-region copy of
-- cross_region_copy.sql (an upsert: "pseudo-replication since deletes are not
-- replicated"), the replica ends up equal to the primary, deletions included.
--   ddbsql --local -i examples/sql/mirror_setup.sql -f examples/sql/mirror.sql

CREATE EXTERNAL TABLE IF NOT EXISTS primary_euwest1 (uuid_hash STRING, day STRING, value STRING)
STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
TBLPROPERTIES ("dynamodb.table.name" = "metrics", "dynamodb.region" = "eu-west-1");
CREATE EXTERNAL TABLE IF NOT EXISTS replica_uswest2 (uuid_hash STRING, day STRING, value STRING)
STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
TBLPROPERTIES ("dynamodb.table.name" = "metrics.replica", "dynamodb.region" = "us-west-2");

-- 1. A full mirror in one statement: replace mode copies the primary, then deletes the
--    replica items the copy did not produce (the 30 items deleted in the primary).
SET ddbsql.write.mode=replace;
INSERT OVERWRITE TABLE replica_uswest2 SELECT * FROM primary_euwest1;
SET ddbsql.write.mode=put;

-- primary and replica agree: same count, nothing in one and not the other
SELECT 'eu-west-1', count(*) FROM primary_euwest1
UNION ALL SELECT 'us-west-2', count(*) FROM replica_uswest2
UNION ALL SELECT 'differences', count(*)
FROM primary_euwest1 p FULL OUTER JOIN replica_uswest2 r ON p.uuid_hash = r.uuid_hash AND p.day = r.day
WHERE p.uuid_hash IS NULL OR r.uuid_hash IS NULL OR p.value <> r.value;

-- 2. Later the primary changes: two items edited, one deleted, one added.
UPDATE primary_euwest1 SET value = concat(value, ' (edited)')
WHERE uuid_hash IN ('u31', 'u32') AND day = '2016-01-01';
DELETE FROM primary_euwest1 WHERE uuid_hash = 'u40' AND day = '2016-01-01';
INSERT INTO TABLE primary_euwest1 VALUES ('u999', '2016-01-02', '999');

-- 3. An incremental mirror: one MERGE writes only what differs, deletes included.  Each
--    change is conditioned on the replica item being as read, so a concurrent writer is
--    never silently overwritten.
MERGE INTO replica_uswest2 r
USING (SELECT coalesce(p.uuid_hash, q.uuid_hash) AS uuid_hash, coalesce(p.day, q.day) AS day, p.value,
              CASE WHEN p.uuid_hash IS NULL THEN 'delete' WHEN q.uuid_hash IS NULL THEN 'insert'
                   WHEN p.value <> q.value THEN 'update' ELSE 'same' END AS op
       FROM primary_euwest1 p FULL OUTER JOIN replica_uswest2 q
         ON p.uuid_hash = q.uuid_hash AND p.day = q.day) d
ON r.uuid_hash = d.uuid_hash AND r.day = d.day
WHEN MATCHED AND d.op = 'delete' THEN DELETE
WHEN MATCHED AND d.op = 'update' THEN UPDATE SET value = d.value
WHEN NOT MATCHED AND d.op = 'insert' THEN INSERT VALUES (d.uuid_hash, d.day, d.value);

SELECT 'eu-west-1', count(*) FROM primary_euwest1
UNION ALL SELECT 'us-west-2', count(*) FROM replica_uswest2
UNION ALL SELECT 'differences', count(*)
FROM primary_euwest1 p FULL OUTER JOIN replica_uswest2 r ON p.uuid_hash = r.uuid_hash AND p.day = r.day
WHERE p.uuid_hash IS NULL OR r.uuid_hash IS NULL OR p.value <> r.value;
