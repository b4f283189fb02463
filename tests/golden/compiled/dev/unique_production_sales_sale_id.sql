select "sale_id", count(*) as n_records
from "source"."production"."sales" tested
where "sale_id" is not null
group by "sale_id"
having count(*) > 1
