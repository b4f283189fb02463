SELECT t.`sale_id`, t.`amount`, t.`year_month`
FROM `lake`.`sales_history` AS t
WHERE NOT EXISTS (SELECT 1 FROM `lake`.`sales_history__sluice_stg_r1_1` AS s WHERE s.`sale_id` <=> t.`sale_id`)
UNION ALL
SELECT s.`sale_id`, s.`amount`, s.`year_month`
FROM `lake`.`sales_history__sluice_stg_r1_1` AS s
