INSERT OVERWRITE TABLE `lake`.`sales_history` PARTITION (`year_month`)
SELECT src.`sale_id`, src.`amount`, src.`year_month`
FROM (
SELECT sale_id, amount, year_month
FROM src.sales
) AS src
