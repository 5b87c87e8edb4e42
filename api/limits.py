"""Abuse limits: token buckets per shopper and per client IP.

In-process buckets; behind several API replicas each replica enforces its own share
(set the limits per replica accordingly, or put a shared limiter at the load balancer).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from fastapi import Request

from api.errors import DomainError


class RateLimited(DomainError):
    """Too many requests; carries how long to wait."""

    status_code = 429

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Allows `per_minute` requests per key, with bursts up to `burst`."""

    def __init__(self, per_minute: int, burst: int | None = None, max_keys: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, per_minute // 4))
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def check(self, key: str, what: str) -> None:
        """Take a token for key or raise RateLimited saying what was limited."""
        if self.rate <= 0:
            return
        now = time.monotonic()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    self._buckets.clear()  # bounded memory under a flood of new keys
                bucket = self._buckets[key] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return
            wait = (1 - bucket.tokens) / self.rate
        raise RateLimited(f"too many {what}; retry in {math.ceil(wait)} s", wait)


def client_ip(request: Request) -> str:
    """Return the client address (the proxy's X-Forwarded-For is trusted only when configured)."""
    if request.app.state.settings.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


class Limits:
    """The app's limiters, built from settings."""

    def __init__(self, chat_per_shopper: int, chat_per_ip: int, events_per_ip: int, login_per_ip: int = 10) -> None:
        self.chat_shopper = RateLimiter(chat_per_shopper)
        self.chat_ip = RateLimiter(chat_per_ip)
        self.events_ip = RateLimiter(events_per_ip)
        self.login_ip = RateLimiter(login_per_ip, burst=max(1, login_per_ip // 2))


def limit_chat_ip(request: Request) -> None:
    """Dependency: per-IP limit on chat messages."""
    request.app.state.limits.chat_ip.check(client_ip(request), "messages from this address")


def limit_events_ip(request: Request) -> None:
    """Dependency: per-IP limit on behaviour-event requests."""
    request.app.state.limits.events_ip.check(client_ip(request), "event requests from this address")
