COPY "mart"."sales__sluice_stg_r1_1" ("sale_id", "amount", "at") FROM STDIN
