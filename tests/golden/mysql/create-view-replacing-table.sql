CREATE VIEW `mart`.`sales__sluice_tmp_r1_3` AS
WITH s AS (SELECT * FROM source.sales WHERE note <> 'it''s')
SELECT sale_id, year_month, amount, customer FROM s;
RENAME TABLE `mart`.`sales` TO `mart`.`sales__sluice_old_r1_2`, `mart`.`sales__sluice_tmp_r1_3` TO `mart`.`sales`;
DROP TABLE IF EXISTS `mart`.`sales__sluice_old_r1_2`;
