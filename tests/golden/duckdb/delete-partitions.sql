DELETE FROM "mart"."main"."sales"
WHERE ("year_month" = '202108')
   OR ("year_month" = '202111')
