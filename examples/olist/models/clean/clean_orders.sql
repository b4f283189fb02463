-- ETL 1, the hourly clean table: one row per order with its customer, cleaned (status in lower
-- case, timestamps named for what they mark), partitioned by the day of purchase. Incremental by
-- lineage: each hourly build replaces just the days whose orders changed in olist.orders.
{{ config(materialized='incremental', partition_by='purchase_date', unique_key='order_id') }}
select
  o.order_id,
  o.customer_id,
  c.customer_unique_id,
  c.customer_city,
  c.customer_state,
  lower(trim(o.order_status)) as order_status,
  o.order_purchase_timestamp as purchase_ts,
  o.order_approved_at as approved_at,
  o.order_delivered_carrier_date as delivered_carrier_at,
  o.order_delivered_customer_date as delivered_customer_at,
  o.order_estimated_delivery_date as estimated_delivery_date,
  cast(o.order_purchase_timestamp as date) as purchase_date
from {{ source('olist', 'orders') }} o
join {{ source('olist', 'customers') }} c on c.customer_id = o.customer_id
