CREATE TABLE `mart`.`sales__sluice_stg_r1_1` AS
WITH s AS (SELECT * FROM source.sales WHERE note <> 'it''s')
SELECT sale_id, year_month, amount, customer FROM s;
