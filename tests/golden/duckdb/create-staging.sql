CREATE TABLE "mart"."main"."sales__sluice_stg_r1_1" (
  "sale_id" BIGINT,
  "amount" VARCHAR,
  "sold_on" VARCHAR
)
