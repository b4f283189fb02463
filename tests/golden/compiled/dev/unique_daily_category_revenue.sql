select "sale_date", "category", count(*) as n_records
from "mart"."main"."daily_category_revenue" tested
where "sale_date" is not null and "category" is not null
group by "sale_date", "category"
having count(*) > 1
