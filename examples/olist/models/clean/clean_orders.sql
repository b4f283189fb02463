-- ETL 1, the hourly clean table: one row per order, cleaned (status in lower case, timestamps named
-- for what they mark), partitioned by the day of purchase. Incremental by lineage: each hourly build
-- replaces just the days whose orders changed in olist.orders.
-- It reads the orders alone, unaliased and unqualified, so the same SQL plans on every source: the
-- planner narrows them to their changed rows as a derived table, which PostgreSQL's needs a name the
-- model cannot repeat and DuckDB's needs an alias the model must give (README.md). Their customers
-- are a table of their own (clean_customers).
{{ config(materialized='incremental', partition_by='purchase_date', unique_key='order_id') }}
select
  order_id,
  customer_id,
  lower(trim(order_status)) as order_status,
  order_purchase_timestamp as purchase_ts,
  order_approved_at as approved_at,
  order_delivered_carrier_date as delivered_carrier_at,
  order_delivered_customer_date as delivered_customer_at,
  order_estimated_delivery_date as estimated_delivery_date,
  cast(order_purchase_timestamp as date) as purchase_date
from {{ source('olist', 'orders') }}
