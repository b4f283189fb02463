CREATE OR REPLACE VIEW `lake`.`v_sales` AS
SELECT sale_id, amount, year_month
FROM src.sales
