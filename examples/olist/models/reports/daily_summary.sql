-- ETL 2, the daily summary for the daily report: orders, revenue, freight, payments, deliveries and
-- reviews per day of purchase, read from the clean table.
{{ config(materialized='table') }}
select
  o.purchase_date,
  count(*) as orders,
  coalesce(sum(t.items_price), 0) as revenue,
  coalesce(sum(t.freight_value), 0) as freight,
  coalesce(sum(t.payment_value), 0) as payments,
  count(*) filter (where o.order_status = 'delivered') as delivered_orders,
  count(*) filter (where o.delivered_customer_at > o.estimated_delivery_date + interval 1 day) as late_orders,
  avg(t.review_score) as avg_review_score
from {{ ref('clean_orders') }} o
left join {{ ref('order_totals') }} t on t.order_id = o.order_id
group by o.purchase_date
