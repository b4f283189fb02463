select *
from "lake"."main"."sales_history" tested
where "sale_id" is null
