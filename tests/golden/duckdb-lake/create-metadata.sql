CREATE SCHEMA IF NOT EXISTS "lake"."sluice_lake";
CREATE TABLE IF NOT EXISTS "lake"."sluice_lake"."tables" (
  "schema" VARCHAR NOT NULL,
  table_name VARCHAR NOT NULL,
  columns VARCHAR NOT NULL,
  partition_by VARCHAR NOT NULL,
  defined_at TIMESTAMP NOT NULL
);
ALTER TABLE "lake"."sluice_lake"."tables" ADD COLUMN IF NOT EXISTS partition_values VARCHAR;
CREATE TABLE IF NOT EXISTS "lake"."sluice_lake"."partitions" (
  "schema" VARCHAR NOT NULL,
  table_name VARCHAR NOT NULL,
  partition_key VARCHAR NOT NULL,
  files_dir VARCHAR NOT NULL,
  row_count BIGINT NOT NULL,
  written_at TIMESTAMP NOT NULL
);
ALTER TABLE "lake"."sluice_lake"."partitions" ADD COLUMN IF NOT EXISTS columns VARCHAR
