select *
from `coolwear`.`sales_history` tested
where not (`revenue` >= 0)
