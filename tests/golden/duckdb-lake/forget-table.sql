DELETE FROM "lake"."sluice_lake"."partitions"
WHERE "schema" = 'lake' AND table_name = 'sales_history';
DELETE FROM "lake"."sluice_lake"."tables"
WHERE "schema" = 'lake' AND table_name = 'sales_history'
