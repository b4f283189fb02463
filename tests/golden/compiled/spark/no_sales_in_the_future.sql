-- A sale dated after today means a clock or data-entry problem upstream.
select sale_id, sale_date
from `coolwear`.`sales_history`
where sale_date > current_date
