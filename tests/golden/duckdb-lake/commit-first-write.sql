DROP TABLE IF EXISTS "lake"."lake"."sales_history";
INSERT INTO "lake"."sluice_lake"."partitions" VALUES
  ('lake', 'sales_history', '[null]', 'lake/sales_history/year_month=__HIVE_DEFAULT_PARTITION__/_vr1_1', 2, TIMESTAMP '2024-05-06 07:08:09', '[{"name":"sale_id","nativeType":"BIGINT"},{"name":"amount","nativeType":"DECIMAL(18,2)"},{"name":"sale_date","nativeType":"DATE"},{"name":"year_month","nativeType":"INTEGER"}]');
DELETE FROM "lake"."sluice_lake"."tables"
WHERE "schema" = 'lake' AND table_name = 'sales_history';
INSERT INTO "lake"."sluice_lake"."tables" ("schema", table_name, columns, partition_by, defined_at, partition_values)
VALUES ('lake', 'sales_history', '[{"name":"sale_id","nativeType":"BIGINT"},{"name":"amount","nativeType":"DECIMAL(18,2)"},{"name":"sale_date","nativeType":"DATE"},{"name":"year_month","nativeType":"INTEGER"}]', '["year_month"]', TIMESTAMP '2024-05-06 07:08:09', 'files');
CREATE OR REPLACE VIEW "lake"."lake"."sales_history" AS
SELECT "sale_id", "amount", "sale_date", "year_month"
FROM read_parquet([
  '/lake-root/lake/sales_history/year_month=__HIVE_DEFAULT_PARTITION__/_vr1_1/*.parquet'
], hive_partitioning = false)
