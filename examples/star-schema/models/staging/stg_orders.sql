-- Order headers.
select
  orderNumber as order_number,
  orderDate as order_date,
  requiredDate as required_date,
  shippedDate as shipped_date,
  status,
  customerNumber as customer_number
from {{ source('classicmodels', 'orders') }}
