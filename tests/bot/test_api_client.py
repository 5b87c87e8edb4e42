"""The action server's API client against a real HTTP server: pooled connections, errors mapped."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from actions import api_client
from actions.api_client import ApiRefused, ApiUnavailable
from actions.settings import settings
from aiohttp import web


async def _serving(handler: Any, check: Any) -> Any:
    """Run `check()` against a real aiohttp server on a free port answering with `handler`."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    old = settings.shoptalk_api_url
    settings.shoptalk_api_url = f"http://127.0.0.1:{port}"
    try:
        return await check()
    finally:
        settings.shoptalk_api_url = old
        await runner.cleanup()


@pytest.fixture
def peers() -> Iterator[list[Any]]:
    yield []


def test_calls_share_one_connection_and_carry_the_key(peers: list[Any]) -> None:
    async def handler(request: web.Request) -> web.Response:
        peers.append((request.transport.get_extra_info("peername"), request.headers.get("authorization")))
        return web.json_response({"product_id": request.match_info["tail"]})

    async def check() -> list[Any]:
        return [await api_client.product(f"p{i}") for i in range(5)]

    answers = asyncio.run(_serving(handler, check))
    assert [a["product_id"] for a in answers] == [f"v1/products/p{i}" for i in range(5)]
    assert len({peer for peer, _ in peers}) == 1, "the five calls reuse one keep-alive connection"
    assert {auth for _, auth in peers} == {f"Bearer {settings.actions_api_key}"}


def test_a_new_event_loop_gets_a_working_session() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def check() -> Any:
        return await api_client.product("p1")

    assert asyncio.run(_serving(handler, check)) == {"ok": True}
    assert asyncio.run(_serving(handler, check)) == {"ok": True}, "the first loop's closed session is not reused"


@pytest.mark.parametrize(
    ("status", "raised"), [(404, ApiRefused), (403, ApiRefused), (401, ApiUnavailable), (500, ApiUnavailable)]
)
def test_errors_are_refusals_or_unavailability(status: int, raised: type) -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"detail": "no such product"}, status=status)

    async def check() -> Exception:
        with pytest.raises(ApiUnavailable) as caught:
            await api_client.product("p1")
        return caught.value

    error = asyncio.run(_serving(handler, check))
    assert type(error) is raised
    if raised is ApiRefused:
        assert error.detail == "no such product"  # type: ignore[attr-defined]


def test_a_slow_api_is_unavailable_not_a_hang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "api_timeout_s", 0.2)

    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({})

    async def check() -> None:
        with pytest.raises(ApiUnavailable, match="TimeoutError"):
            await api_client.product("p1")

    asyncio.run(_serving(handler, check))
