"""ShopTalk's FastAPI service: conversations, channels, catalog search, behaviour, recommendations."""
