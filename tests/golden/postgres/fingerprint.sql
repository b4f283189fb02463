SELECT count(*)::text || ':' ||
  coalesce(sum(('x' || left(md5(sluice_row::text), 15))::bit(60)::bigint), 0)::text
FROM "mart"."sales" AS sluice_row
