DELETE FROM "mart"."main"."sales"
WHERE (CAST("year_month" AS VARCHAR) = '202108')
   OR (CAST("year_month" AS VARCHAR) = '202111')
