-- Daily revenue per product category with the average and median revenue of a sale.
select
  sale_date,
  category,
  count(*) as sales,
  sum(revenue) as revenue,
  avg(revenue) as avg_revenue,
  percentile(revenue, 0.5) as median_revenue
from `coolwear`.`sales_history`
group by sale_date, category
