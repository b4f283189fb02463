-- Product categories.
select category_id, name as category_name
from {{ ref('bronze_categories') }}
