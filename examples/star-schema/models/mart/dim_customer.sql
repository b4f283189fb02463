-- The customer dimension: one row per customer, keyed by a surrogate key, with its sales rep.
select
  {{ surrogate_key(['c.customer_number']) }} as customer_key,
  c.customer_number,
  c.customer_name,
  c.city,
  c.country,
  e.employee_name as sales_rep_name,
  e.office_city as sales_rep_office
from {{ ref('stg_customers') }} c
left join {{ ref('stg_employees') }} e on e.employee_number = c.sales_rep_employee_number
