-- Employees with the city and country of their office.
select
  e.employeeNumber as employee_number,
  e.firstName || ' ' || e.lastName as employee_name,
  e.jobTitle as job_title,
  e.reportsTo as reports_to,
  o.city as office_city,
  o.country as office_country
from {{ source('classicmodels', 'employees') }} e
join {{ source('classicmodels', 'offices') }} o on o.officeCode = e.officeCode
