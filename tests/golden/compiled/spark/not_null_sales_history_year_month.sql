select *
from `coolwear`.`sales_history` tested
where `year_month` is null
