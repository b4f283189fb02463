CREATE VIEW `lake`.`sales_history__sluice_stg_r1_2` AS
SELECT
  src.`c0` AS `id`,
  src.`c1` AS `big`,
  CAST(src.`c2` AS DECIMAL(18,2)) AS `price`,
  src.`c3` AS `amount`,
  src.`c4` AS `ratio`,
  src.`c5` AS `Customer Name`,
  CAST(src.`c6` AS DATE) AS `day`,
  CAST(src.`c7` AS TIMESTAMP) AS `at`,
  src.`c8` AS `flag`,
  src.`c9` AS `raw`
FROM `lake`.`sales_history__sluice_stg_r1_1` AS src
