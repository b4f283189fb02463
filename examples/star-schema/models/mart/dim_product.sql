-- The product dimension, keyed by a surrogate key.
select
  {{ surrogate_key(['product_code']) }} as product_key,
  product_code,
  product_name,
  product_line,
  product_line_description,
  product_vendor,
  buy_price,
  msrp
from {{ ref('stg_products') }}
