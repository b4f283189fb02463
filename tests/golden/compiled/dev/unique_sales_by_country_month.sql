select "country", "year_month", count(*) as n_records
from "mart"."main"."sales_by_country_month" tested
where "country" is not null and "year_month" is not null
group by "country", "year_month"
having count(*) > 1
