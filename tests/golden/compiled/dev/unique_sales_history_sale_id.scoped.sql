select tested."sale_id" as "sale_id", count(*) as n_records
from "lake"."main"."sales_history" tested
where tested."sale_id" in (select "sale_id" from (select * from "lake"."main"."sales_history" where (("year_month" = '202309')
   OR ("year_month" = '202310'))) touched_rows where "sale_id" is not null)
group by tested."sale_id"
having count(*) > 1
