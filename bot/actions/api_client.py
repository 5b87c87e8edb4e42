"""A small async client for the ShopTalk API endpoints the actions use."""

import asyncio
import logging
from typing import Any, Dict, List, Optional

import aiohttp

from actions.settings import settings

log = logging.getLogger(__name__)


class ApiUnavailable(Exception):
    """The API did not answer in time or answered an error."""


async def search_products(query: str, filters: Dict[str, List[str]], limit: int) -> Dict[str, Any]:
    """Return the API's product search result for the query and filters."""
    params: List[Any] = [("q", query[:500]), ("limit", str(limit))]
    for key, values in filters.items():
        params.extend((key, str(v)) for v in values)
    timeout = aiohttp.ClientTimeout(total=settings.api_timeout_s)
    try:
        url = f"{settings.shoptalk_api_url}/v1/products/search"
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(url, params=params) as resp:
            if resp.status != 200:
                raise ApiUnavailable(f"status {resp.status}")
            return await resp.json()
    # On Python 3.10 (the Rasa env) asyncio.TimeoutError is not the builtin TimeoutError.
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        log.warning("actions.api.unavailable error=%s", type(exc).__name__)
        raise ApiUnavailable(type(exc).__name__) from exc


def entity_values(entities: List[Dict[str, Any]], name: str) -> List[str]:
    """Return the distinct values of one entity type, in order of appearance."""
    seen: List[str] = []
    for e in entities:
        value: Optional[str] = e.get("value")
        if e.get("entity") == name and value and value not in seen:
            seen.append(str(value))
    return seen
