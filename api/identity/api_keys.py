"""Shop API keys (server-to-server calls) and the action server's credential.

A shop key is shown once when created (`shoptalk api-key add`, `POST /v1/admin/api-keys`)
and stored as its SHA-256 only. The action server's key comes from `ACTIONS_API_KEY`,
set for both the API and the action server; it is compared by digest in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import utcnow
from api.errors import NotFound
from api.identity.models import ApiKey

KEY_PREFIX = "stk_"
SERVICE_ROLES = ("shop", "actions")


@dataclass(frozen=True)
class Service:
    """A server-side caller: the shop's backend or ShopTalk's own action server."""

    name: str
    role: str


def key_hash(key: str) -> str:
    """Return the stored form of a key."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def create_api_key(*, session: Session, name: str, role: str = "shop") -> tuple[ApiKey, str]:
    """Create a key; return its row and the key itself (shown once, never stored)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, role=role, key_hash=key_hash(key), prefix=key[:10])
    session.add(row)
    session.commit()
    return row, key


def list_api_keys(*, session: Session) -> list[ApiKey]:
    """Every key, newest first (hashes only)."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc())))


def revoke_api_key(*, session: Session, key_id: str) -> ApiKey:
    """Revoke a key: it is refused from now on."""
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"API key {key_id} not found")
    row.revoked_at = row.revoked_at or utcnow()
    session.commit()
    return row


def service_for_key(*, session: Session, key: str, actions_key: str) -> Service | None:
    """Return the service a key belongs to, or None."""
    if not key.startswith(KEY_PREFIX) and actions_key and hmac.compare_digest(key_hash(key), key_hash(actions_key)):
        return Service(name="action-server", role="actions")
    if not key.startswith(KEY_PREFIX):
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash(key), ApiKey.revoked_at.is_(None)))
    return Service(name=row.name, role=row.role) if row is not None else None
