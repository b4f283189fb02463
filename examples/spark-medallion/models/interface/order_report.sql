-- What stakeholders query for the order report.
select order_date, orders, total_revenue, avg_revenue from {{ ref('daily_order_metrics') }}
