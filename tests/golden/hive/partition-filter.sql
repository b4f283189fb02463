SELECT * FROM q
WHERE (CAST(q.`year_month` AS STRING) = '202108')
   OR (CAST(q.`year_month` AS STRING) = '202111')
