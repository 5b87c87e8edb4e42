"""Shopper identity verification: the shop vouches that a session belongs to a customer.

The shop's backend, where the customer is logged in, signs the customer id with a secret
it shares with ShopTalk (`IDENTITY_SECRET`), the way Intercom's and Zendesk's identity
verification work, with an expiry so a leaked signature does not last:

    expires_at = now + 600                      # unix seconds
    signature  = hex(HMAC-SHA256(IDENTITY_SECRET, f"{customer_id}:{expires_at}"))

The widget passes `customer_id`, `expires_at` and `signature` along; ShopTalk links the
session to the customer only when the signature verifies and has not expired.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from api.errors import Unauthorized

MAX_LIFETIME_S = 7 * 24 * 3600  # a signature may not promise more than a week


def sign_customer(secret: str, customer_id: str, expires_at: int) -> str:
    """Return the signature the shop's backend computes (also what SECURITY.md shows)."""
    message = f"{customer_id}:{expires_at}".encode("utf-8", "surrogatepass")
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify_customer(secret: str, customer_id: str, expires_at: int, signature: str, now: float | None = None) -> None:
    """Raise Unauthorized unless the shop signed this customer id and it has not expired."""
    now = time.time() if now is None else now
    if expires_at < now:
        raise Unauthorized("the identity signature has expired; sign the customer id again")
    if expires_at > now + MAX_LIFETIME_S:
        raise Unauthorized(f"expires_at is more than {MAX_LIFETIME_S // 86400} days ahead")
    if not hmac.compare_digest(sign_customer(secret, customer_id, expires_at), signature.lower()):
        raise Unauthorized("the identity signature does not match this customer id")
