select id as customer_id, email, first_name, last_name, created_at
from {{ source('app', 'customers') }}
