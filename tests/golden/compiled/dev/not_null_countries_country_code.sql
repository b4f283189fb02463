select *
from "lake"."main"."countries" tested
where "country_code" is null
