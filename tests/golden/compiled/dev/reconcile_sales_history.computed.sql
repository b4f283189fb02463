select CAST("year_month" AS VARCHAR) as "year_month", count(*) as row_count, CAST(sum("quantity") AS VARCHAR) as "sum_quantity", CAST(sum("revenue") AS VARCHAR) as "sum_revenue"
from (
-- One big table of sales with the client and product fields readers need, partitioned by the
-- month of the sale, as the lake keeps it (few joins, no small files). Incremental by lineage:
-- each build replaces just the months whose sales changed in production.sales (see sources.yml).

select
  s.sale_id,
  s.sale_date,
  s.quantity,
  s.unit_price,
  s.quantity * s.unit_price as revenue,
  s.update_date,
  c.client_id,
  c.client_name,
  c.country,
  p.product_id,
  p.product_name,
  p.category,
  year(s.sale_date) * 100 + month(s.sale_date) as year_month
from "source"."production"."sales" s
join "source"."production"."clients" c on c.client_id = s.client_id
join "source"."production"."products" p on p.product_id = s.product_id
) sluice_model
group by CAST("year_month" AS VARCHAR)
