select CAST(`year_month` AS STRING) as `year_month`, count(*) as row_count, CAST(sum(`quantity`) AS STRING) as `sum_quantity`, CAST(sum(`revenue`) AS STRING) as `sum_revenue`
from `coolwear`.`sales_history`
group by CAST(`year_month` AS STRING)
