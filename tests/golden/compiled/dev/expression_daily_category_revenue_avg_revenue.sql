select *
from "mart"."main"."daily_category_revenue" tested
where not ("avg_revenue" <= 100000)
