-- Order lines with their amount.
select
  orderNumber as order_number,
  orderLineNumber as order_line_number,
  productCode as product_code,
  quantityOrdered as quantity,
  priceEach as price_each,
  quantityOrdered * priceEach as amount
from {{ source('classicmodels', 'orderdetails') }}
