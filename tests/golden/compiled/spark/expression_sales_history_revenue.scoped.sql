select *
from (select * from `coolwear`.`sales_history` where ((CAST(`year_month` AS STRING) = '202309')
   OR (CAST(`year_month` AS STRING) = '202310'))) tested
where not (`revenue` >= 0)
