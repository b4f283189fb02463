SELECT t."schema", t.table_name, t.columns, t.partition_by, t.partition_values,
  (SELECT to_json(list({key: p.partition_key, dir: p.files_dir, rows: p.row_count, cols: p.columns} ORDER BY p.partition_key, p.files_dir))
   FROM "lake"."sluice_lake"."partitions" p WHERE p."schema" = t."schema" AND p.table_name = t.table_name) AS folders,
  (SELECT v.sql FROM duckdb_views() v WHERE v.database_name = 'lake' AND v.schema_name = t."schema" AND v.view_name = t.table_name) AS view_sql
FROM "lake"."sluice_lake"."tables" t
ORDER BY t."schema", t.table_name
