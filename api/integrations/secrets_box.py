"""Secrets at rest: webhook and API secrets are stored encrypted (Fernet, key from SECRET_KEY)."""

from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography.fernet import Fernet, InvalidToken


class SecretBox:
    """Encrypts and decrypts short secrets with a key derived from the app's SECRET_KEY."""

    def __init__(self, secret_key: str) -> None:
        key = base64.urlsafe_b64encode(hashlib.sha256(f"shoptalk-secrets:{secret_key}".encode()).digest())
        self._fernet = Fernet(key)

    def seal(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("a stored secret cannot be decrypted: was SECRET_KEY changed?") from exc


def new_secret() -> str:
    """Return a fresh random signing secret."""
    return "whsec_" + secrets.token_urlsafe(32)
