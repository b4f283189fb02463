select *
from "lake"."main"."sales_history" tested
where not ("revenue" >= 0)
