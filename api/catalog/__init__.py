"""Catalog search over the product index (used by the bot's actions and the widget)."""
