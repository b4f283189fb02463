CREATE OR REPLACE VIEW "lake"."lake"."sales_history" AS
SELECT "sale_id", "amount", "sale_date", "year_month"
FROM read_parquet([
  '/lake-root/lake/sales_history/year_month=202101/_vr0_1/*.parquet',
  '/lake-root/lake/sales_history/year_month=202101/_vr1_2/*.parquet',
  '/lake-root/lake/sales_history/year_month=202102/_vr1_2/*.parquet'
], hive_partitioning = false, union_by_name = true)
