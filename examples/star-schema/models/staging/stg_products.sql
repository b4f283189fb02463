-- Products with the description of their product line.
select
  p.productCode as product_code,
  p.productName as product_name,
  p.productLine as product_line,
  l.textDescription as product_line_description,
  p.productVendor as product_vendor,
  p.buyPrice as buy_price,
  p.MSRP as msrp
from {{ source('classicmodels', 'products') }} p
join {{ source('classicmodels', 'productlines') }} l on l.productLine = p.productLine
