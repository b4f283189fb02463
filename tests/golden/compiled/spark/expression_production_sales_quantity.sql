select *
from "source"."production"."sales" tested
where not ("quantity" > 0)
