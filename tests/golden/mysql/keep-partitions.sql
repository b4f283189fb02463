DELETE FROM `mart`.`sales__sluice_tmp_r1_3`
WHERE ((`year_month` = '202108')) IS NOT TRUE;
