-- Sellers with their user account.
select
  s.seller_id,
  s.user_id,
  u.username,
  u.email,
  s.rating,
  s.first_time_sold_ts,
  u.created_ts as user_created_ts
from {{ ref('bronze_sellers') }} s
join {{ ref('bronze_users') }} u on u.user_id = s.user_id
