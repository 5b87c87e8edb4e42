"""Rate limits shared by every API replica: the same buckets as api.limits, kept in Redis.

GCRA (the generic cell rate algorithm: a token bucket stored as one timestamp per key)
in a Lua script, so a check is one atomic round trip and the clock is Redis's own. If
Redis cannot be reached the request is let through and the failure logged: a limiter
outage must not take the chat down.
"""

from __future__ import annotations

import logging
import math

import redis

from api.limits import RateLimited

log = logging.getLogger(__name__)

# KEYS[1]: the bucket; ARGV[1]: emission interval (µs); ARGV[2]: burst * interval (µs).
# Returns 0 when allowed, else the wait in µs.
_GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval, capacity = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local wait = new_tat - now - capacity
if wait > 0 then return wait end
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1000)
return 0
"""


class RedisRateLimiter:
    """Allows `per_minute` requests per key across all replicas, with bursts up to `burst`."""

    def __init__(self, client: redis.Redis, name: str, per_minute: int, burst: int | None = None) -> None:
        self.client, self.name = client, name
        self.per_minute = per_minute
        self.burst = burst if burst is not None else max(1, per_minute // 4)
        self._script = client.register_script(_GCRA)

    def check(self, key: str, what: str) -> None:
        """Take a token for key or raise RateLimited saying what was limited."""
        if self.per_minute <= 0:
            return
        interval_us = 60_000_000 // self.per_minute
        try:
            wait_us = int(
                self._script(keys=[f"shoptalk:rl:{self.name}:{key}"], args=[interval_us, interval_us * self.burst])
            )
        except redis.RedisError as exc:
            log.warning(
                "limits.redis.unavailable limiter=%s error=%s (request let through)", self.name, type(exc).__name__
            )
            return
        if wait_us > 0:
            wait = wait_us / 1_000_000
            raise RateLimited(f"too many {what}; retry in {math.ceil(wait)} s", wait)
