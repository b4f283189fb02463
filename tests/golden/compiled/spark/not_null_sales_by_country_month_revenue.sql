select *
from "mart"."main"."sales_by_country_month" tested
where "revenue" is null
