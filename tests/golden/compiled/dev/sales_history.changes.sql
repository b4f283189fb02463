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
from (select * from "source"."production"."sales" where "update_date" > __SLUICE_WATERMARK_FROM[source.production.sales]__ and "update_date" <= __SLUICE_WATERMARK_TO[source.production.sales]__) s
join "source"."production"."clients" c on c.client_id = s.client_id
join "source"."production"."products" p on p.product_id = s.product_id
