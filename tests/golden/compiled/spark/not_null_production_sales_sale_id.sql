select *
from "source"."production"."sales" tested
where "sale_id" is null
