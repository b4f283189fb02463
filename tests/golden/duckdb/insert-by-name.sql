INSERT INTO "mart"."main"."sales" BY NAME
SELECT sale_id, amount, year_month FROM "source"."production"."sales"
