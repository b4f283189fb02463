FROM `lake`.`sales_history__sluice_stg_r1_1` AS src
INSERT OVERWRITE TABLE `lake`.`sales_history` PARTITION (`region` = NULL)
  SELECT src.`sale_id`
  WHERE (src.`region` IS NULL)
INSERT OVERWRITE TABLE `lake`.`sales_history` PARTITION (`region` = 'NULL')
  SELECT src.`sale_id`
  WHERE (CAST(src.`region` AS STRING) = 'NULL');
ALTER TABLE `lake`.`sales_history` DROP IF EXISTS
  PARTITION (`region` = NULL);
SELECT CAST(`region` AS STRING)
FROM `lake`.`sales_history__sluice_stg_r1_1`
WHERE CAST(`region` AS STRING) IN ('', '__HIVE_DEFAULT_PARTITION__')
LIMIT 1
