select *
from "lake"."main"."sales_history" tested
where "year_month" is null
