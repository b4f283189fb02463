-- Payments by check.
select
  customerNumber as customer_number,
  checkNumber as check_number,
  paymentDate as payment_date,
  amount
from {{ source('classicmodels', 'payments') }}
