"""A small async client for the ShopTalk API endpoints the actions use."""

import asyncio
import logging
from typing import Any, Dict, List, Optional, Tuple

import aiohttp

from actions.settings import settings

log = logging.getLogger(__name__)


class ApiUnavailable(Exception):
    """The API did not answer in time or answered an error."""


class ApiRefused(ApiUnavailable):
    """The API answered 4xx: the request cannot be done as asked (status and the API's reason)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"status {status}: {detail}")
        self.status, self.detail = status, detail


# One pooled session for the event loop (the action server runs one): a new ClientSession per
# call opened a new connector and TCP connection every time, most of the action server's CPU.
_pooled: Optional[Tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession]] = None
# An idle connection is dropped well before uvicorn's 5 s keep-alive closes it from its side,
# so a request never goes out on a connection the API is closing.
KEEPALIVE_S = 2.0


def _session() -> aiohttp.ClientSession:
    """The running loop's pooled session (keep-alive connections to the API), made on first use."""
    global _pooled
    loop = asyncio.get_running_loop()
    if _pooled is None or _pooled[0] is not loop or _pooled[1].closed:
        connector = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S)
        headers = {"authorization": f"Bearer {settings.actions_api_key}"}
        _pooled = (loop, aiohttp.ClientSession(connector=connector, headers=headers))
    return _pooled[1]


async def _call(method: str, path: str, **kwargs: Any) -> Any:
    timeout = aiohttp.ClientTimeout(total=settings.api_timeout_s)
    url = f"{settings.shoptalk_api_url}{path}"
    try:
        async with _session().request(method, url, timeout=timeout, **kwargs) as resp:
            if 400 <= resp.status < 500 and resp.status not in (401, 408, 429):
                raise ApiRefused(resp.status, str((await resp.json(content_type=None) or {}).get("detail", "")))
            if resp.status != 200:
                raise ApiUnavailable(f"status {resp.status}")
            return await resp.json()
    # On Python 3.10 (the Rasa env) asyncio.TimeoutError is not the builtin TimeoutError.
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        log.warning("actions.api.unavailable path=%s error=%s", path, type(exc).__name__)
        raise ApiUnavailable(type(exc).__name__) from exc


async def search_products(query: str, filters: Dict[str, List[str]], limit: int) -> Dict[str, Any]:
    """Return the API's product search result for the query and filters."""
    params: List[Any] = [("q", query[:500]), ("limit", str(limit))]
    for key, values in filters.items():
        params.extend((key, str(v)) for v in values)
    return await _call("GET", "/v1/products/search", params=params)


async def recommend(
    *,
    conversation_id: str,
    session_id: Optional[str],
    query: str,
    intent: Optional[str],
    entities: List[Dict[str, Any]],
    limit: int,
    language: Optional[str] = None,
) -> Dict[str, Any]:
    """Return recommendations merging this conversation, the shopper's behaviour and the catalog,
    with reasons in `language` (the conversation's slot; the API reads it itself when absent)."""
    body: Dict[str, Any] = {
        "conversation_id": conversation_id,
        "query": query[:500],
        "intent": intent,
        "entities": [{"entity": e.get("entity"), "value": e.get("value")} for e in entities],
        "limit": limit,
    }
    if language:
        body["language"] = language
    if session_id:
        body["session_id"] = session_id
    return await _call("POST", "/v1/recommendations", json=body)


async def conversation_messages(conversation_id: str) -> List[Dict[str, Any]]:
    """Return the conversation's stored messages, oldest first."""
    return await _call("GET", f"/v1/conversations/{conversation_id}/messages")


async def product(product_id: str) -> Dict[str, Any]:
    """Return one catalog product (in_stock included)."""
    return await _call("GET", f"/v1/products/{product_id}")


async def find_orders(session_id: Optional[str], order_id: Optional[str]) -> List[Dict[str, Any]]:
    """Return the shopper's orders (only theirs), or the one asked for."""
    params = {k: v for k, v in (("session_id", session_id), ("order_id", order_id)) if v}
    return await _call("GET", "/v1/orders", params=params)


async def add_to_cart(conversation_id: str, product_ids: List[str]) -> List[Dict[str, Any]]:
    """Put products in the conversation's shopper's cart; return what was added (titles)."""
    found = await _call("POST", f"/v1/conversations/{conversation_id}/cart", json={"product_ids": product_ids})
    return list(found.get("added", []))


async def cancel_order(conversation_id: str, order_id: str) -> Dict[str, Any]:
    """Cancel the verified shopper's order: {order, cancelled, reason}. ApiRefused: 403 unverified, 404 unknown."""
    return await _call("POST", f"/v1/conversations/{conversation_id}/orders/{order_id}/cancel")


def entity_values(entities: List[Dict[str, Any]], name: str) -> List[str]:
    """Return the distinct values of one entity type, in order of appearance."""
    seen: List[str] = []
    for e in entities:
        value: Optional[str] = e.get("value")
        if e.get("entity") == name and value and value not in seen:
            seen.append(str(value))
    return seen
