RENAME TABLE `mart`.`sales__sluice_stg_r1_1` TO `mart`.`sales`;
