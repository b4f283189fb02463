select CAST("year_month" AS VARCHAR) as "year_month", count(*) as row_count, CAST(sum("quantity") AS VARCHAR) as "sum_quantity", CAST(sum("revenue") AS VARCHAR) as "sum_revenue"
from "lake"."main"."sales_history"
group by CAST("year_month" AS VARCHAR)
