-- Customers as readers want them: one name, the country.
select
  customer_id,
  first_name || ' ' || last_name as customer_name,
  email_address,
  country_region as country
from {{ source('landing', 'customer') }}
