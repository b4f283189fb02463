CREATE OR REPLACE VIEW "lake"."lake"."sales_history" AS
SELECT "sale_id", "amount", "sale_date", "year_month"
FROM read_parquet([
  '/lake-root/lake/sales_history/_vr1_1/*.parquet'
], hive_partitioning = false)
