-- Raw order lines, partitioned by the day they were added; incremental by lineage like bronze_orders.
{{ config(materialized='incremental', partition_by='created_date', unique_key='order_item_id') }}
select
  order_item_id,
  order_id,
  line_number,
  product_id,
  seller_id,
  quantity,
  base_price,
  tax,
  created_ts,
  updated_at,
  cast(created_ts as date) as created_date
from {{ source('app', 'order_items') }}
