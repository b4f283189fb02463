DROP VIEW IF EXISTS "mart"."sales";
