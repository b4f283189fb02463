-- The payments fact: one row per check, referencing its customer and payment date by key.
select
  {{ surrogate_key(['customer_number', 'check_number']) }} as payment_key,
  {{ surrogate_key(['customer_number']) }} as customer_key,
  {{ date_key('payment_date') }} as payment_date_key,
  check_number,
  amount
from {{ ref('stg_payments') }}
