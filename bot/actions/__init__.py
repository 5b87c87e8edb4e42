"""Custom actions: the action server calls the ShopTalk API over HTTP."""
