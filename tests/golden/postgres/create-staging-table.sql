CREATE TABLE "mart"."sales__sluice_stg_r1_1" (
  "sale_id" BIGINT,
  "amount" NUMERIC(18,2),
  "at" TIMESTAMP(6)
);
