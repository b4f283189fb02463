select count(*) as row_count
from `coolwear`.`sales_history` tested
having count(*) < 1
