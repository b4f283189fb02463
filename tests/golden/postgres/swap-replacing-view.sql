BEGIN;
DROP VIEW IF EXISTS "mart"."sales";
ALTER TABLE "mart"."sales__sluice_stg_r1_1" RENAME TO "sales";
COMMIT;
