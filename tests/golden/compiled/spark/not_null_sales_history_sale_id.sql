select *
from `coolwear`.`sales_history` tested
where `sale_id` is null
