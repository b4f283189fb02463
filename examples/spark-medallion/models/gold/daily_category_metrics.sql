-- The category report: average and median revenue of an order line per day (of its order) and
-- category; a line of a product in two categories counts in both.
select
  o.order_date,
  c.category_name,
  count(*) as items,
  sum(o.revenue) as total_revenue,
  avg(o.revenue) as avg_revenue,
  {{ median('o.revenue') }} as median_revenue
from {{ ref('obt_order_items') }} o
join {{ ref('product_x_category') }} pc on pc.product_id = o.product_id
join {{ ref('dim_category') }} c on c.category_id = pc.category_id
group by o.order_date, c.category_name
