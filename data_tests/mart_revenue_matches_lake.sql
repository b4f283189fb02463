-- The validation step: total revenue in the mart equals the lake's, month by month.
select m.year_month, m.revenue as mart_revenue, l.revenue as lake_revenue
from (select year_month, sum(revenue) as revenue from {{ ref('sales_by_country_month') }} group by year_month) m
full join (select year_month, sum(revenue) as revenue from {{ ref('sales_history') }} group by year_month) l
  on l.year_month = m.year_month
where m.revenue is distinct from l.revenue
