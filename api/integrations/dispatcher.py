"""Deliver outbox events at least once: signed POSTs, retries with backoff and jitter, dead letters.

Due deliveries are claimed with a lease (their next attempt moved `lease_s` ahead, and
on PostgreSQL `FOR UPDATE SKIP LOCKED`, so several API replicas never send the same
attempt twice). A process that dies mid-attempt leaves the lease to expire and the next
claim retries it: nothing is lost, a receiver may see a duplicate (dedupe on the event id).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.db import utcnow
from api.integrations.models import Channel, Delivery, DeliveryAttempt, OutboxEvent, Subscription
from api.integrations.outbox import event_body
from api.integrations.secrets_box import SecretBox
from api.integrations.signing import DELIVERY_HEADER, EVENT_HEADER, signed_headers
from api.integrations.webhook_sender import HttpWebhookSender, SendFailed, WebhookSender
from api.observability.metrics import DELIVERIES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter: attempt n waits uniform(0, min(cap, base * 2**n))."""

    max_attempts: int = 8
    base_s: float = 2.0
    cap_s: float = 3600.0

    def delay(self, attempts: int, rng: random.Random) -> float:
        return rng.uniform(0, min(self.cap_s, self.base_s * 2**attempts))


@dataclass(frozen=True)
class Job:
    delivery_id: str
    url: str
    body: bytes
    secret: str
    event_type: str
    event_id: str
    attempt: int


class Dispatcher:
    """Polls the outbox and delivers; run() is an asyncio task started by the app."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        box: SecretBox,
        policy: RetryPolicy | None = None,
        timeout_s: float = 5.0,
        poll_s: float = 0.5,
        lease_s: float = 60.0,
        batch: int = 20,
        sender: WebhookSender | None = None,
    ) -> None:
        self.factory, self.box = factory, box
        self.sender: WebhookSender = sender or HttpWebhookSender(timeout_s)
        self.policy = policy or RetryPolicy()
        self.timeout_s, self.poll_s, self.lease_s, self.batch = timeout_s, poll_s, lease_s, batch
        self.rng = random.Random()
        self.delivered = 0

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    jobs = await run_in_threadpool(self.claim)
                    if jobs:
                        await asyncio.gather(*(self._deliver(job) for job in jobs))
                        continue
                except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
                    log.exception("integrations.dispatcher.error")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.poll_s)
        finally:
            await self.sender.close()

    def claim(self) -> list[Job]:
        """Lease the due deliveries and return what to send."""
        with self.factory() as session:
            now = utcnow()
            query = (
                select(Delivery)
                .where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
                .order_by(Delivery.next_attempt_at)
                .limit(self.batch)
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            deliveries = list(session.scalars(query))
            jobs = []
            for d in deliveries:
                event = session.get(OutboxEvent, d.event_id)
                secret = self._secret(session, d)
                if event is None or secret is None:
                    d.status, d.last_error = "dead", "event or target no longer exists"
                    continue
                d.next_attempt_at = now + timedelta(seconds=self.lease_s)
                jobs.append(Job(d.id, d.url, event_body(event), secret, event.type, event.id, d.attempts + 1))
            session.commit()
            return jobs

    def _secret(self, session: Session, delivery: Delivery) -> str | None:
        if delivery.subscription_id:
            sub = session.get(Subscription, delivery.subscription_id)
            return self.box.open(sub.secret_sealed) if sub else None
        channel = session.get(Channel, delivery.channel_id) if delivery.channel_id else None
        return self.box.open(channel.secret_sealed) if channel else None

    async def _deliver(self, job: Job) -> None:
        headers = signed_headers(job.secret, job.body, **{EVENT_HEADER: job.event_type, DELIVERY_HEADER: job.event_id})
        started = time.perf_counter()
        code: int | None = None
        error: str | None = None
        try:
            code = await self.sender.post(job.url, job.body, headers)
            if not 200 <= code < 300:
                error = f"answered {code}"
        except SendFailed as exc:
            error = str(exc)
        duration = (time.perf_counter() - started) * 1000
        await run_in_threadpool(self.record, job, code, error, duration)

    def record(self, job: Job, code: int | None, error: str | None, duration_ms: float) -> None:
        """Write the attempt to the log and schedule the next one, or finish."""
        with self.factory() as session:
            d = session.get(Delivery, job.delivery_id)
            if d is None:
                return
            d.attempts = job.attempt
            d.last_status_code, d.last_error = code, error
            session.add(
                DeliveryAttempt(
                    delivery_id=d.id, attempt=job.attempt, status_code=code, error=error, duration_ms=duration_ms
                )
            )
            if error is None:
                DELIVERIES.labels("delivered").inc()
                d.status, d.delivered_at = "delivered", utcnow()
                self.delivered += 1
            elif d.attempts >= self.policy.max_attempts:
                DELIVERIES.labels("dead").inc()
                d.status = "dead"
                log.warning("integrations.delivery.dead delivery=%s attempts=%d error=%s", d.id, d.attempts, error)
            else:
                DELIVERIES.labels("retry").inc()
                d.next_attempt_at = utcnow() + timedelta(seconds=self.policy.delay(d.attempts, self.rng))
                log.info("integrations.delivery.retry delivery=%s attempt=%d error=%s", d.id, d.attempts, error)
            session.commit()
