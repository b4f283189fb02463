select *
from (select * from "lake"."main"."sales_history" where (("year_month" = '202309') or ("year_month" = '202310'))) tested
where "sale_id" is null
