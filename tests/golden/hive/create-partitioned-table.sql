CREATE TABLE `lake`.`sales_history` (
  `sale_id` BIGINT,
  `amount` DECIMAL(18,2)
)
PARTITIONED BY (
  `year_month` INT
)
STORED AS PARQUET
