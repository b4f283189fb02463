ALTER TABLE `lake`.`sales_history__sluice_stg_r1_1` RENAME TO `lake`.`sales_history`
