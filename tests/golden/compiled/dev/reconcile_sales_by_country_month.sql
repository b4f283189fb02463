select CAST("year_month" AS VARCHAR) as "year_month", count(*) as row_count, CAST(sum("sales") AS VARCHAR) as "sum_sales", CAST(sum("revenue") AS VARCHAR) as "sum_revenue"
from "mart"."main"."sales_by_country_month"
group by CAST("year_month" AS VARCHAR)
