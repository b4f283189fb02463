CREATE TABLE `lake`.`sales_history__sluice_stg_r1_1`
STORED AS PARQUET
AS
SELECT sale_id, amount, year_month
FROM src.sales
