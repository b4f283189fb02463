RENAME TABLE `mart`.`sales` TO `mart`.`sales__sluice_old_r1_2`, `mart`.`sales__sluice_stg_r1_1` TO `mart`.`sales`;
DROP TABLE IF EXISTS `mart`.`sales__sluice_old_r1_2`;
