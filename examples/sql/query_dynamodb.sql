-- Querying live DynamoDB data with HiveQL, in the style of the EMR guide's examples
-- ("Hive command examples for exporting, importing, and querying data in DynamoDB").
--   ddbsql --local -f examples/sql/query_dynamodb.sql
-- The first part creates and fills two DynamoDB tables (ddbsql's opt-in "ddbsql.create"
-- extension); against AWS you would map existing tables instead.

SET dynamodb.throughput.read.percent = 1.0;

CREATE EXTERNAL TABLE IF NOT EXISTS orders (customer_id string, order_id bigint, order_date bigint,
                                            total_cost decimal(12,2), details string, tags array<string>)
STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
TBLPROPERTIES ("dynamodb.table.name" = "Orders",
               "dynamodb.column.mapping" = "customer_id:CustomerId,order_id:OrderId,order_date:OrderDate,total_cost:TotalCost,details:Details,tags:Tags",
               "dynamodb.type.mapping" = "tags:SS",
               "ddbsql.create" = "true", "ddbsql.hash.key" = "CustomerId", "ddbsql.range.key" = "OrderId");

CREATE EXTERNAL TABLE IF NOT EXISTS customers (customer_id string, name string, email string, signup string)
STORED BY 'org.apache.hadoop.hive.dynamodb.DynamoDBStorageHandler'
TBLPROPERTIES ("dynamodb.table.name" = "Customers",
               "dynamodb.column.mapping" = "customer_id:CustomerId,name:Name,email:Email,signup:Signup",
               "ddbsql.create" = "true", "ddbsql.hash.key" = "CustomerId");

INSERT INTO TABLE customers VALUES
  ('c1', 'Ana Silva',  'ana@example.com',  '2015-01-12'),
  ('c2', 'Bo Chen',    'bo@example.org',   '2016-03-02'),
  ('c3', 'Cy Duarte',  'cy@example.com',   '2016-11-30'),
  ('c4', 'Di Evans',   NULL,               '2017-02-14');

INSERT INTO TABLE orders VALUES
  ('c1', 1, 1459468800, 19.99,  '{"channel":"web","items":[{"sku":"A1","qty":1}]}',    array('gift')),
  ('c1', 2, 1462060800, 250.00, '{"channel":"app","items":[{"sku":"B7","qty":2}]}',    array('vip','gift')),
  ('c2', 3, 1462147200, 5.50,   '{"channel":"web","items":[{"sku":"C3","qty":10}]}',   NULL),
  ('c3', 4, 1464739200, 99.00,  '{"channel":"store","items":[{"sku":"A1","qty":3}]}',  array('vip')),
  ('c3', 5, 1467331200, 12.25,  '{"channel":"web","items":[{"sku":"D9","qty":1}]}',    NULL),
  ('c5', 6, 1467417600, 1.00,   'not json',                                            NULL);

-- local (DuckDB-backed) table for a join, as one would join a file or staging table
CREATE TABLE IF NOT EXISTS regions (email_domain string, region string);
INSERT OVERWRITE TABLE regions VALUES ('example.com', 'EU'), ('example.org', 'US');

-- How many items?
SELECT COUNT(*) FROM orders;

-- Total spent per customer, biggest first
SELECT customer_id, SUM(total_cost) AS spent, COUNT(*) AS orders
FROM orders GROUP BY customer_id ORDER BY spent DESC;

-- Join two DynamoDB tables, and a local table; customers without orders and orders without customers
SELECT c.name, r.region, o.order_id, from_unixtime(o.order_date, 'yyyy-MM-dd') AS day, o.total_cost
FROM customers c
LEFT JOIN orders o ON o.customer_id = c.customer_id
LEFT JOIN regions r ON r.email_domain = regexp_extract(c.email, '@(.*)$', 1)
ORDER BY c.name, o.order_id;

-- JSON inside a string attribute, sets, and Hive's collection functions
SELECT customer_id,
       collect_set(get_json_object(details, '$.channel')) AS channels,
       SUM(CAST(get_json_object(details, '$.items[0].qty') AS int)) AS units,
       MAX(size(tags)) AS max_tags,
       concat_ws(',', collect_set(CAST(order_id AS string))) AS order_ids
FROM orders GROUP BY customer_id ORDER BY customer_id;

-- Window functions and a subquery: each customer's first order and its share of the total
SELECT customer_id, order_id, total_cost,
       ROUND(100 * total_cost / SUM(total_cost) OVER (PARTITION BY customer_id), 1) AS pct_of_customer
FROM (SELECT * FROM orders WHERE total_cost > 2) big
ORDER BY customer_id, order_id;

-- Customers who signed up before 2016 (string dates parsed Hive's way)
SELECT name, signup, year(signup) AS y FROM customers
WHERE unix_timestamp(signup, 'yyyy-MM-dd') < unix_timestamp('2016-01-01', 'yyyy-MM-dd');
