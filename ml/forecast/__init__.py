"""Demand forecasting: next-week demand per product type and per top item from interaction logs."""
