-- The totals of what belongs to each order: its items, payments and reviews. The sums and the
-- average are cast to the types the lake keeps: this runs on the source, and PostgreSQL's sum() and
-- avg() return an unconstrained NUMERIC, which would land in the lake as text.
{{ config(materialized='table') }}
with items as (
  select
    order_id,
    count(*) as item_count,
    cast(sum(price) as decimal(18, 2)) as items_price,
    cast(sum(freight_value) as decimal(18, 2)) as freight_value
  from {{ source('olist', 'order_items') }}
  group by order_id
),
payments as (
  select
    order_id,
    sum(payment_value) as payment_value,
    max(payment_installments) as payment_installments,
    string_agg(distinct payment_type, ',' order by payment_type) as payment_types
  from {{ source('olist', 'order_payments') }}
  group by order_id
),
reviews as (
  select order_id, avg(cast(review_score as double precision)) as review_score
  from {{ source('olist', 'order_reviews') }}
  group by order_id
)
select
  i.order_id,
  i.item_count,
  i.items_price,
  i.freight_value,
  cast(coalesce(p.payment_value, 0) as decimal(18, 2)) as payment_value,
  p.payment_installments,
  p.payment_types,
  r.review_score
from items i
left join payments p on p.order_id = i.order_id
left join reviews r on r.order_id = i.order_id
