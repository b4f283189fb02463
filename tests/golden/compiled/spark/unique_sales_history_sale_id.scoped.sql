select tested.`sale_id` as `sale_id`, count(*) as n_records
from `coolwear`.`sales_history` tested
where tested.`sale_id` in (select `sale_id` from (select * from `coolwear`.`sales_history` where ((CAST(`year_month` AS STRING) = '202309')
   OR (CAST(`year_month` AS STRING) = '202310'))) touched_rows where `sale_id` is not null)
group by tested.`sale_id`
having count(*) > 1
