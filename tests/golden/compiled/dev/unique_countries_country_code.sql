select "country_code", count(*) as n_records
from "lake"."main"."countries" tested
where "country_code" is not null
group by "country_code"
having count(*) > 1
