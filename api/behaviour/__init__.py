"""Shopping behaviour logs: views, searches, carts, wishlists and purchases."""
