CREATE EXTERNAL TABLE `lake`.`sales_history__sluice_stg_r1_1` (
  `c0` INT,
  `c1` BIGINT,
  `c2` DECIMAL(38,2),
  `c3` DECIMAL(38,18),
  `c4` DOUBLE,
  `c5` STRING,
  `c6` STRING,
  `c7` STRING,
  `c8` BOOLEAN,
  `c9` BINARY
)
STORED AS PARQUET
LOCATION 'hdfs://nn:8020/sluice/stage/sales_history__sluice_stg_r1_1'
