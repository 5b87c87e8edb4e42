"""Who a caller is: shopper sessions, shop-verified customers, and service API keys."""
