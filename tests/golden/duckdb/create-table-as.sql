CREATE TABLE "mart"."main"."sales" AS
SELECT sale_id, amount, year_month FROM "source"."production"."sales"
