def model(dbt, session):
    orders = dbt.ref("stg_orders")
    return orders.filter(orders.amount > 0)
