DELETE FROM [mart].[sales__sluice_tmp_r1_3]
WHERE CASE WHEN [year_month] IN (N'202108') THEN 1 ELSE 0 END = 0;
