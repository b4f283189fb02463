BEGIN;
ALTER TABLE "mart"."sales" RENAME TO "sales__sluice_old_r1_2";
ALTER TABLE "mart"."sales__sluice_stg_r1_1" RENAME TO "sales";
DROP TABLE IF EXISTS "mart"."sales__sluice_old_r1_2";
COMMIT;
