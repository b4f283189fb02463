-- The date dimension: every day from the first order to the last payment, keyed yyyymmdd.
with bounds as (
  select min(d) as first_day, max(d) as last_day from (
    select order_date as d from {{ ref('stg_orders') }}
    union all
    select payment_date from {{ ref('stg_payments') }}
  ) days
),
days as (
  select cast(first_day + cast(i as integer) as date) as day
  from bounds, range(0, 3660) t(i)
  where first_day + cast(i as integer) <= last_day
)
select
  {{ date_key('day') }} as date_key,
  day,
  year(day) as year,
  quarter(day) as quarter,
  month(day) as month,
  dayofweek(day) as day_of_week
from days
