select "client_id", count(*) as n_records
from "source"."production"."clients" tested
where "client_id" is not null
group by "client_id"
having count(*) > 1
