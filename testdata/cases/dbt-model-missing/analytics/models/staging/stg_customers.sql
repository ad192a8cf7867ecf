select id as customer_id, email from {{ source('app', 'customers') }}
