-- Buyers with their user account.
select
  b.buyer_id,
  b.user_id,
  u.username,
  u.email,
  b.membership,
  b.first_time_purchased_ts,
  u.created_ts as user_created_ts
from {{ ref('bronze_buyers') }} b
join {{ ref('bronze_users') }} u on u.user_id = b.user_id
