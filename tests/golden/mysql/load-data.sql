LOAD DATA LOCAL INFILE 'sales__sluice_stg_r1_1'
INTO TABLE `mart`.`sales__sluice_stg_r1_1`
CHARACTER SET utf8mb4
FIELDS TERMINATED BY '\t' ESCAPED BY '\\'
LINES TERMINATED BY '\n'
(`sale_id`, @sluice_1, `at`)
SET `payload` = UNHEX(@sluice_1);
