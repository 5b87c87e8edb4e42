"""Languages: which one a text is in, Chinese numerals, and the shop's message catalogs.

Pure Python with no third-party imports at module level, so every part of ShopTalk (the
API, the NLU component, the action server) reads language the same way.
"""
