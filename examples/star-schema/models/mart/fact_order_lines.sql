-- The sales fact: one row per order line, referencing its customer, product and order date by key.
select
  {{ surrogate_key(['l.order_number', 'l.order_line_number']) }} as order_line_key,
  {{ surrogate_key(['o.customer_number']) }} as customer_key,
  {{ surrogate_key(['l.product_code']) }} as product_key,
  {{ date_key('o.order_date') }} as order_date_key,
  l.order_number,
  l.order_line_number,
  o.status,
  l.quantity,
  l.price_each,
  l.amount
from {{ ref('stg_order_lines') }} l
join {{ ref('stg_orders') }} o on o.order_number = l.order_number
