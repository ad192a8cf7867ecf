select * from {{ ref('dim_customers') }}
