select child.`country` as from_field
from (select * from `coolwear`.`sales_history` where ((CAST(`year_month` AS STRING) = '202309')
   OR (CAST(`year_month` AS STRING) = '202310'))) child
left join `coolwear`.`countries` parent on child.`country` = parent.`country_code`
where child.`country` is not null and parent.`country_code` is null
