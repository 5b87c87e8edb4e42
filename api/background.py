"""The API's background jobs: webhook delivery, recovery of unfinished turns, retention."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool

from api.services import Services

log = logging.getLogger(__name__)


class BackgroundJobs:
    """Starts the jobs the settings ask for, and stops them together."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        settings = self.services.settings
        if settings.webhook_dispatcher:
            self._tasks.append(asyncio.create_task(self.services.dispatcher.run(self._stop)))
        self._tasks.append(asyncio.create_task(_every(60, self._recover, "dialogue.recovery", self._stop)))
        if settings.retention_days:
            self._tasks.append(asyncio.create_task(_every(24 * 3600, self._purge, "privacy.retention", self._stop)))

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            await task

    def _recover(self) -> None:
        """Answer turns a crashed process left unfinished (at start, then every minute)."""
        from api.turns.recovery import recover_interrupted

        threshold = self.services.settings.turn_recovery_threshold_s
        with self.services.session_factory() as session:
            for conversation_id, _ in recover_interrupted(session, threshold):
                self.services.hub.publish(conversation_id, {"type": "history_changed"})

    def _purge(self) -> None:
        """Purge data older than the retention period (at start, then once a day)."""
        from api.privacy.retention import purge_older_than

        days = self.services.settings.retention_days
        if days:
            with self.services.session_factory() as session:
                purge_older_than(session, days)


async def _every(seconds: float, job: Callable[[], None], name: str, stop: asyncio.Event) -> None:
    """Run a blocking job in a worker thread at start, then every `seconds`, until stop."""
    while not stop.is_set():
        try:
            await run_in_threadpool(job)
        except Exception:  # noqa: BLE001 - the next round retries
            log.exception("%s.failed", name)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)
