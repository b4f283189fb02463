-- Sales per country and month, for the mart's dashboard. Computed on the lake; only this small
-- result travels to the mart.
select
  h.country,
  c.country_name,
  h.year_month,
  count(*) as sales,
  sum(h.quantity) as units,
  sum(h.revenue) as revenue
from `coolwear`.`sales_history` h
left join `coolwear`.`countries` c on c.country_code = h.country
group by h.country, c.country_name, h.year_month
