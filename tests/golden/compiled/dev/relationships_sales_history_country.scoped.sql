select child."country" as from_field
from (select * from "lake"."main"."sales_history" where (("year_month" = '202309')
   OR ("year_month" = '202310'))) child
left join "lake"."main"."countries" parent on child."country" = parent."country_code"
where child."country" is not null and parent."country_code" is null
