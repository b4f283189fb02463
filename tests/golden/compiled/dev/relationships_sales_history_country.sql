select child."country" as from_field
from "lake"."main"."sales_history" child
left join "lake"."main"."countries" parent on child."country" = parent."country_code"
where child."country" is not null and parent."country_code" is null
