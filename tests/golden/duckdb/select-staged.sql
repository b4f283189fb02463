SELECT "sale_id", "amount", "sold_on" FROM "mart"."main"."sales__sluice_stg_r1_1"
