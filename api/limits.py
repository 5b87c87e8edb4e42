"""Abuse limits: token buckets per shopper and per client IP.

In-process buckets by default; with REDIS_URL set, every replica shares the same buckets
in Redis (api/limits_redis.py), so a limit holds however many replicas serve.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from fastapi import Request

from api.errors import DomainError
from api.services import ServicesDep


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

    def __init__(
        self,
        per_minute: int,
        burst: int | None = None,
        max_keys: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, per_minute // 4))
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def check(self, key: str, what: str) -> None:
        """Take a token for key or raise RateLimited saying what was limited."""
        if self.rate <= 0:
            return
        now = self.clock()
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


def client_ip(request: Request, trust_forwarded_for: bool) -> str:
    """Return the client address (the proxy's X-Forwarded-For is trusted only when configured)."""
    if trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


class Limiter(Protocol):
    """Take a token for a key or raise RateLimited."""

    def check(self, key: str, what: str) -> None: ...


class Limits:
    """The app's limiters, built from settings: in-process, or shared through Redis."""

    def __init__(
        self, chat_per_shopper: int, chat_per_ip: int, events_per_ip: int, login_per_ip: int = 10, redis_url: str = ""
    ) -> None:
        make: Callable[[str, int, int | None], Limiter]
        if redis_url:
            import redis

            from api.limits_redis import RedisRateLimiter

            client = redis.Redis.from_url(redis_url, socket_timeout=0.5, socket_connect_timeout=0.5)
            make = lambda name, per_minute, burst: RedisRateLimiter(client, name, per_minute, burst)  # noqa: E731
        else:
            make = lambda _name, per_minute, burst: RateLimiter(per_minute, burst)  # noqa: E731
        self.chat_shopper = make("chat_shopper", chat_per_shopper, None)
        self.chat_ip = make("chat_ip", chat_per_ip, None)
        self.events_ip = make("events_ip", events_per_ip, None)
        self.login_ip = make("login_ip", login_per_ip, max(1, login_per_ip // 2))
        # keyed on the account too: changing address (or a spoofed header) does not reset it
        self.login_account = make("login_account", login_per_ip, max(1, login_per_ip // 2))


def limit_chat_ip(request: Request, services: ServicesDep) -> None:
    """Dependency: per-IP limit on chat messages."""
    ip = client_ip(request, services.settings.trust_forwarded_for)
    services.limits.chat_ip.check(ip, "messages from this address")


def limit_events_ip(request: Request, services: ServicesDep) -> None:
    """Dependency: per-IP limit on behaviour-event requests."""
    ip = client_ip(request, services.settings.trust_forwarded_for)
    services.limits.events_ip.check(ip, "event requests from this address")
