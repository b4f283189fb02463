-- Country-level metrics (the write-up's country_table_dezyre): customers who ordered, orders,
-- units, revenue and average order value per country, stored as a Parquet table. The units are cast
-- to BIGINT: DuckDB sums integers into a HUGEINT, which Parquet stores as a DOUBLE.
select
  country,
  count(distinct customer_id) as customers,
  count(distinct sales_order_id) as orders,
  cast(sum(order_qty) as bigint) as units,
  sum(line_total) as revenue,
  sum(line_total) / count(distinct sales_order_id) as avg_order_value
from {{ ref('v_salesorderdetails_demo') }}
group by country
