SELECT columns, partition_by, partition_values FROM "lake"."sluice_lake"."tables"
WHERE "schema" = 'lake' AND table_name = 'sales_history';
SELECT partition_key, files_dir, row_count FROM "lake"."sluice_lake"."partitions"
WHERE "schema" = 'lake' AND table_name = 'sales_history'
ORDER BY partition_key, files_dir
