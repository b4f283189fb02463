CREATE TABLE "mart"."main"."sales__sluice_stg_r1_1" (
  "sale_id" BIGINT,
  "amount" DECIMAL(18,2),
  "sold_on" DATE
)
