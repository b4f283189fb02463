DELETE FROM "mart"."sales"
WHERE ("year_month" = '202108');
