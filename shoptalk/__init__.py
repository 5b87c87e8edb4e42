"""Operator commands: set up, train, ingest and run the whole ShopTalk stack."""
