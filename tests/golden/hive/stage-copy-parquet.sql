COPY (
  SELECT
    CAST("id" AS INTEGER) AS "c0",
    CAST("big" AS BIGINT) AS "c1",
    CAST("price" AS DECIMAL(38,2)) AS "c2",
    CAST("amount" AS DECIMAL(38,18)) AS "c3",
    CAST("ratio" AS DOUBLE) AS "c4",
    CAST("Customer Name" AS VARCHAR) AS "c5",
    CAST("day" AS VARCHAR) AS "c6",
    CAST("at" AS VARCHAR) AS "c7",
    CAST("flag" AS BOOLEAN) AS "c8",
    CAST("raw" AS BLOB) AS "c9"
  FROM (
SELECT * FROM "stage"."main"."staged_rows"
  ) AS staged
)
TO '/mnt/stage/sales_history__sluice_stg_r1_1' (FORMAT parquet, COMPRESSION snappy, FILE_SIZE_BYTES '256MB', FILENAME_PATTERN 'part-{i}')
