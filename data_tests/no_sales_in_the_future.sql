-- A sale dated after today means a clock or data-entry problem upstream. "Today" is the generator's
-- pinned clock when the var coolwear_now is set (see macros/coolwear_data.sql), else the engine's.
select sale_id, sale_date
from {{ ref('sales_history') }}
where sale_date > {{ coolwear_today() }}
