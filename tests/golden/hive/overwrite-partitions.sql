FROM `lake`.`sales_history__sluice_stg_r1_1` AS src
INSERT OVERWRITE TABLE `lake`.`sales_history` PARTITION (`year_month` = '202108')
  SELECT src.`sale_id`, src.`amount`
  WHERE (CAST(src.`year_month` AS STRING) = '202108')
INSERT OVERWRITE TABLE `lake`.`sales_history` PARTITION (`year_month` = '202111')
  SELECT src.`sale_id`, src.`amount`
  WHERE (CAST(src.`year_month` AS STRING) = '202111')
