select count(*) as row_count
from "lake"."main"."sales_history" tested
having count(*) < 1
