"""Shoppers, conversations and messages."""
