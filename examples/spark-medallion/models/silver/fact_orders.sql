-- One row per order, with the totals of its lines.
select
  o.order_id,
  o.buyer_id,
  o.order_ts,
  o.order_date,
  o.status,
  count(i.order_item_id) as item_count,
  coalesce(sum(i.quantity * i.base_price), 0) as total_revenue,
  coalesce(sum(i.quantity * i.tax), 0) as total_tax
from {{ ref('bronze_orders') }} o
left join {{ ref('bronze_order_items') }} i on i.order_id = o.order_id
group by o.order_id, o.buyer_id, o.order_ts, o.order_date, o.status
