"""The WebhookSender port: POST a signed body to a URL, and its HTTP adapter (httpx)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import httpx


class SendFailed(Exception):
    """The request did not get an answer (connection refused, timeout, TLS...)."""


class WebhookSender(Protocol):
    """Sends one webhook; returns the receiver's status code or raises SendFailed."""

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int: ...

    async def close(self) -> None: ...


class HttpWebhookSender:
    """httpx, one pooled client for the dispatcher's life (made on the first send)."""

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self._client: httpx.AsyncClient | None = None

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout_s)
        try:
            response = await self._client.post(url, content=body, headers=dict(headers))
        except httpx.HTTPError as exc:
            raise SendFailed(type(exc).__name__) from exc
        return response.status_code

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
