"""Live updates for staff consoles: a server-sent event stream of conversation changes."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from api.channels.hub import STAFF_TOPIC
from api.deps import CurrentStaff, HubDep

router = APIRouter(prefix="/v1/staff", tags=["staff: review"])
KEEP_ALIVE_S = 15.0


@router.get("/stream")
async def stream(request: Request, hub: HubDep, _: CurrentStaff) -> StreamingResponse:
    """Server-sent events: `{"type": "conversation", "conversation_id", "status"}` whenever one changes."""
    queue = hub.subscribe(STAFF_TOPIC)

    async def events() -> AsyncIterator[str]:
        try:
            yield "retry: 2000\n\n"
            while not await request.is_disconnected():
                try:
                    payload = await asyncio.wait_for(queue.get(), timeout=KEEP_ALIVE_S)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield f"data: {json.dumps(payload)}\n\n"
        finally:
            with contextlib.suppress(Exception):
                hub.unsubscribe(STAFF_TOPIC, queue)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
