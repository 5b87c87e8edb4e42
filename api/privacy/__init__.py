"""Shopper privacy: masking personal data, data-rights export and delete, retention."""
