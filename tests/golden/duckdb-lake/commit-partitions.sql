DELETE FROM "lake"."sluice_lake"."partitions"
WHERE "schema" = 'lake' AND table_name = 'sales_history'
  AND files_dir IN ('lake/sales_history/year_month=202102/_vr0_1');
INSERT INTO "lake"."sluice_lake"."partitions" VALUES
  ('lake', 'sales_history', '["202102"]', 'lake/sales_history/year_month=202102/_vr1_2', 7, TIMESTAMP '2024-05-06 07:08:09', '[{"name":"sale_id","nativeType":"BIGINT"},{"name":"amount","nativeType":"DECIMAL(18,2)"},{"name":"sale_date","nativeType":"DATE"},{"name":"year_month","nativeType":"INTEGER"}]');
DELETE FROM "lake"."sluice_lake"."tables"
WHERE "schema" = 'lake' AND table_name = 'sales_history';
INSERT INTO "lake"."sluice_lake"."tables" ("schema", table_name, columns, partition_by, defined_at, partition_values)
VALUES ('lake', 'sales_history', '[{"name":"sale_id","nativeType":"BIGINT"},{"name":"amount","nativeType":"DECIMAL(18,2)"},{"name":"sale_date","nativeType":"DATE"},{"name":"year_month","nativeType":"INTEGER"}]', '["year_month"]', TIMESTAMP '2024-05-06 07:08:09', 'files');
CREATE OR REPLACE VIEW "lake"."lake"."sales_history" AS
SELECT "sale_id", "amount", "sale_date", "year_month"
FROM read_parquet([
  '/lake-root/lake/sales_history/year_month=202101/_vr0_1/*.parquet',
  '/lake-root/lake/sales_history/year_month=202102/_vr1_2/*.parquet'
], hive_partitioning = false)
