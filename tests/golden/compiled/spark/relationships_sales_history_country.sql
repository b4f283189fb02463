select child.`country` as from_field
from `coolwear`.`sales_history` child
left join `coolwear`.`countries` parent on child.`country` = parent.`country_code`
where child.`country` is not null and parent.`country_code` is null
