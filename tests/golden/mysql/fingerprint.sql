SELECT CONCAT(COUNT(*), ':',
  COALESCE(SUM(CAST(CONV(LEFT(MD5(CONCAT_WS(',', QUOTE(`client_id`), QUOTE(`name`))), 15), 16, 10) AS UNSIGNED)), 0))
FROM `mart`.`sales`
