-- One row per click event (impression, view, checkout); a checkout names its order.
select
  event_id,
  event_type,
  user_id,
  product_id,
  order_id,
  event_ts,
  cast(event_ts as date) as event_date
from {{ ref('bronze_clickstream') }}
