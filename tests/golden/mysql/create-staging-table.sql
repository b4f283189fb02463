CREATE TABLE `mart`.`sales__sluice_stg_r1_1` (
  `sale_id` BIGINT NULL,
  `payload` LONGBLOB NULL,
  `at` DATETIME(6) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
