"""HMAC-SHA256 request signing, shared by inbound channels and outgoing events.

Signature = "sha256=" + hex(HMAC-SHA256(secret, f"{timestamp}.".encode() + raw_body)), where
timestamp is Unix seconds sent in its own header. Receivers reject stale timestamps.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-ShopTalk-Signature"
TIMESTAMP_HEADER = "X-ShopTalk-Timestamp"
DELIVERY_HEADER = "X-ShopTalk-Delivery"
EVENT_HEADER = "X-ShopTalk-Event"
REPLAY_WINDOW_S = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Return the signature header value for a body sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_matches(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """Compare in constant time; accepts the value with or without the `sha256=` prefix."""
    expected = sign(secret, timestamp, body)
    given = signature if signature.startswith("sha256=") else f"sha256={signature}"
    return hmac.compare_digest(expected, given)


def timestamp_fresh(timestamp: str, now: float | None = None, window_s: int = REPLAY_WINDOW_S) -> bool:
    """Return True when the timestamp is Unix seconds within the replay window of now."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    return abs((now if now is not None else time.time()) - sent) <= window_s


def signed_headers(secret: str, body: bytes, **extra: str) -> dict[str, str]:
    """Return the headers of a signed outgoing request."""
    timestamp = str(int(time.time()))
    return {
        "content-type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        **extra,
    }
