"""Chatwoot agent bot: Chatwoot's webhook in (router), Chatwoot's API out (client), the bot's
decisions in between (bot). Payload shapes follow Chatwoot's source, cited where they are read."""

from api.integrations.chatwoot.router import router

__all__ = ["router"]
