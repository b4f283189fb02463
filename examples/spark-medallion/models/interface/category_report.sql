-- What stakeholders query for the category report.
select order_date, category_name, items, avg_revenue, median_revenue from {{ ref('daily_category_metrics') }}
