-- Order lines pre-joined with their order and customer, so queries need no joins.
select
  d.sales_order_id,
  d.sales_order_detail_id,
  h.order_date,
  h.ship_method,
  c.customer_id,
  c.customer_name,
  c.country,
  d.product_id,
  d.order_qty,
  d.unit_price,
  d.order_qty * d.unit_price as line_total
from {{ source('landing', 'sales_order_detail') }} d
join {{ source('landing', 'sales_order_header') }} h on h.sales_order_id = d.sales_order_id
join {{ ref('v_customer') }} c on c.customer_id = h.customer_id
