-- ETL 3, features for a model of delivery performance: one row per delivered order.
{{ config(materialized='table') }}
with lines as (
  select
    order_id,
    sum(product_weight_g) as total_weight_g,
    count(distinct seller_id) as seller_count,
    list_sort(list_distinct(list(seller_state))) as seller_states
  from {{ ref('order_item_details') }}
  group by order_id
)
select
  o.order_id,
  o.purchase_date,
  c.customer_state,
  t.item_count,
  l.total_weight_g,
  l.seller_count,
  list_contains(l.seller_states, c.customer_state) as seller_in_customer_state,
  t.freight_value / nullif(t.items_price, 0) as freight_ratio,
  date_diff('second', o.purchase_ts, o.approved_at) / 3600.0 as hours_to_approve,
  date_diff('second', o.approved_at, o.delivered_carrier_at) / 86400.0 as days_to_carrier,
  date_diff('second', o.purchase_ts, o.delivered_customer_at) / 86400.0 as days_to_customer,
  date_diff('day', o.estimated_delivery_date, cast(o.delivered_customer_at as date)) as days_late,
  o.delivered_customer_at > o.estimated_delivery_date + interval 1 day as is_late,
  t.review_score
from {{ ref('clean_orders') }} o
join {{ ref('clean_customers') }} c on c.customer_id = o.customer_id
join lines l on l.order_id = o.order_id
join {{ ref('order_totals') }} t on t.order_id = o.order_id
where o.order_status = 'delivered' and o.delivered_customer_at is not null
