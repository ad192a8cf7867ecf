select customer_id as account_id, email from {{ ref('dim_customers') }}
