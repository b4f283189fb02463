-- The order report: total and average revenue of the orders placed each day.
select
  order_date,
  count(*) as orders,
  sum(total_revenue) as total_revenue,
  avg(total_revenue) as avg_revenue
from {{ ref('fact_orders') }}
group by order_date
