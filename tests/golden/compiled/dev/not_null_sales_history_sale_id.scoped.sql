select *
from (select * from "lake"."main"."sales_history" where (("year_month" = '202309')
   OR ("year_month" = '202310'))) tested
where "sale_id" is null
