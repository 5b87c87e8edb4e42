"""Order lookups for the bot ("where is my order 12345?"), scoped to the asking shopper."""
