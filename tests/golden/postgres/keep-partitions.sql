DELETE FROM "mart"."sales__sluice_tmp_r1_3"
WHERE NOT (("year_month" = '202108'));
