-- One row per order line, linked to its order by order_id; revenue is quantity times base price.
select
  order_item_id,
  order_id,
  line_number,
  product_id,
  seller_id,
  quantity,
  base_price,
  tax,
  quantity * base_price as revenue,
  created_ts,
  created_date
from {{ ref('bronze_order_items') }}
