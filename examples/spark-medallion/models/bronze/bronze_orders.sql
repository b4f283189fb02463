-- Raw orders, partitioned by the day they were placed. Incremental by lineage: each build replaces
-- just the days whose orders changed in app.orders (a corrected timestamp dirties both days).
{{ config(materialized='incremental', partition_by='order_date', unique_key='order_id') }}
select
  order_id,
  buyer_id,
  order_ts,
  status,
  updated_at,
  cast(order_ts as date) as order_date
from {{ source('app', 'orders') }}
