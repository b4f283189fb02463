-- A report read off the star: revenue and units per year, customer country and product line.
{{ config(compute='mart') }}
select
  d.year,
  c.country,
  p.product_line,
  count(*) as order_lines,
  sum(f.quantity) as units,
  sum(f.amount) as revenue
from {{ ref('fact_order_lines') }} f
join {{ ref('dim_customer') }} c on c.customer_key = f.customer_key
join {{ ref('dim_product') }} p on p.product_key = f.product_key
join {{ ref('dim_date') }} d on d.date_key = f.order_date_key
group by d.year, c.country, p.product_line
