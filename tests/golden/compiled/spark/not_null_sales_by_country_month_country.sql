select *
from "mart"."main"."sales_by_country_month" tested
where "country" is null
