"""Integrations: inbound webhook channels, the Chatwoot agent bot, signed outgoing events."""
