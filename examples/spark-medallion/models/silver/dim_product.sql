-- Products with metrics: how many sellers and categories each has, and what it sold.
with sellers as (
  select product_id, count(*) as seller_count from {{ ref('bronze_seller_x_product') }} group by product_id
),
categories as (
  select product_id, count(*) as category_count from {{ ref('bronze_product_x_category') }} group by product_id
),
sold as (
  select product_id, sum(quantity) as units_sold, sum(quantity * base_price) as revenue
  from {{ ref('bronze_order_items') }}
  group by product_id
)
select
  p.product_id,
  p.name as product_name,
  p.description,
  p.price,
  coalesce(s.seller_count, 0) as seller_count,
  coalesce(c.category_count, 0) as category_count,
  coalesce(d.units_sold, 0) as units_sold,
  coalesce(d.revenue, 0) as revenue
from {{ ref('bronze_products') }} p
left join sellers s on s.product_id = p.product_id
left join categories c on c.product_id = p.product_id
left join sold d on d.product_id = p.product_id
