BEGIN;
ALTER TABLE "mart"."sales__sluice_stg_r1_1" RENAME TO "sales";
COMMIT;
