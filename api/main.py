"""The app factory. All wiring happens here, in the lifespan (the bootstrap)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from api import health
from api.analytics.router import router as analytics_router
from api.behaviour.router import router as events_router
from api.catalog.router import router as catalog_router
from api.channels.hub import LocalHub
from api.channels.rest import router as rest_router
from api.channels.socketio_channel import build_socketio_app
from api.channels.ws import router as ws_router
from api.config import Settings, get_settings
from api.conversations.staff_router import router as staff_router
from api.db import make_engine, session_factory
from api.dialogue.port import DialogueEngine
from api.dialogue.service import Turns
from api.errors import install_error_handlers
from api.identity.admin_router import router as api_keys_router
from api.identity.session_tokens import SessionTokens
from api.integrations.admin_router import router as integrations_admin_router
from api.integrations.chatwoot import router as chatwoot_router
from api.integrations.chatwoot.links import check_at_startup as check_chatwoot_links
from api.integrations.dispatcher import Dispatcher, RetryPolicy
from api.integrations.inbound_router import router as inbound_router
from api.integrations.secrets_box import SecretBox
from api.limits import Limits
from api.logging_setup import configure_logging
from api.observability.middleware import install as install_observability
from api.orders.router import router as orders_router
from api.privacy.masking import masker_from
from api.privacy.router import router as privacy_router
from api.recommendations.router import router as recommendations_router
from api.review.live import router as live_router
from api.review.router import router as review_router
from api.review.taxonomy import Taxonomy
from api.staff.admin_router import router as staff_admin_router
from api.staff.router import router as staff_login_router
from api.web.docs import router as docs_router
from api.web.pages import router as pages_router
from retrieval.search import ProductSearcher

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    dialogue: DialogueEngine | None = None,
    searcher: ProductSearcher | None = None,
) -> FastAPI:
    """Build the API. Components not given are built from settings at startup."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level, settings.log_json)
        # A chat turn holds a worker thread while Rasa answers, and Rasa's actions call back
        # into this API: with anyio's default 40 threads, 40 concurrent turns would starve
        # those callbacks until timeouts. Size the pool for the concurrency we serve.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        settings.var_dir.mkdir(parents=True, exist_ok=True)  # SQLite and Qdrant Edge live here
        if settings.auto_migrate:
            from api.migrate import upgrade

            await run_in_threadpool(upgrade, settings.sqlalchemy_url)
        engine = make_engine(settings.sqlalchemy_url)
        app.state.settings = settings
        app.state.session_factory = session_factory(engine)
        check_chatwoot_links(app.state.session_factory, settings.product_url_template)
        if dialogue is None:
            from api.dialogue.rasa import RasaDialogueEngine

            app.state.dialogue = RasaDialogueEngine(settings.rasa_url, settings.rasa_token, settings.rasa_timeout_s)
        else:
            app.state.dialogue = dialogue
        if searcher is None:
            from api.catalog.wiring import build_searcher

            app.state.searcher = await run_in_threadpool(build_searcher, settings)
        else:
            app.state.searcher = searcher
        from api.recommendations.service import Recommender

        app.state.recommender = Recommender(app.state.searcher)
        if settings.redis_url:
            from api.channels.redis_hub import RedisHub

            app.state.hub = RedisHub(settings.redis_url)
            await app.state.hub.start()
        else:
            app.state.hub = LocalHub()
        app.state.limits = Limits(
            settings.rate_limit_chat_per_shopper,
            settings.rate_limit_chat_per_ip,
            settings.rate_limit_events_per_ip,
            settings.rate_limit_login_per_ip,
            settings.redis_url,
        )
        app.state.taxonomy = Taxonomy.load(settings.taxonomy_path)
        app.state.masker = masker_from(settings.pii_mask_kinds, settings.pii_extra_patterns)
        app.state.turns = Turns(
            app.state.dialogue,
            settings.max_message_bytes,
            app.state.masker,
            app.state.hub,
            resume_after_s=settings.turn_retry_after_s,
        )
        app.state.secret_box = SecretBox(settings.secret_key)
        app.state.session_tokens = SessionTokens(settings.secret_key)
        stop_dispatch = asyncio.Event()
        dispatcher = Dispatcher(
            app.state.session_factory,
            app.state.secret_box,
            RetryPolicy(settings.webhook_max_attempts, settings.webhook_backoff_base_s, settings.webhook_backoff_cap_s),
            timeout_s=settings.webhook_timeout_s,
            poll_s=settings.webhook_poll_s,
        )
        app.state.dispatcher = dispatcher
        dispatch_task = asyncio.create_task(dispatcher.run(stop_dispatch)) if settings.webhook_dispatcher else None
        recovery_task = asyncio.create_task(_recovery_loop(app, stop_dispatch))
        retention_task = (
            asyncio.create_task(_retention_loop(app, settings.retention_days, stop_dispatch))
            if settings.retention_days
            else None
        )
        log.info("api.started env=%s", settings.shoptalk_env)
        yield
        stop_dispatch.set()
        if dispatch_task is not None:
            await dispatch_task
        if retention_task is not None:
            await retention_task
        await recovery_task
        if settings.redis_url:
            await app.state.hub.stop()
        if searcher is None:
            app.state.searcher.index.close()
        engine.dispose()

    app = FastAPI(
        title="ShopTalk API",
        version="0.1.0",
        description="Conversations, channels, catalog search and recommendations for a shopping assistant.",
        lifespan=lifespan,
        docs_url=None,  # served by api/web/docs.py from this origin (the CSP blocks the CDN)
        redoc_url=None,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"], allow_headers=["*"]
        )
    install_error_handlers(app)
    install_observability(app)
    app.mount("/socket.io", build_socketio_app(app, settings.cors_origins or "*", settings.redis_url))
    app.include_router(health.router)
    app.include_router(rest_router)
    app.include_router(ws_router)
    app.include_router(catalog_router)
    app.include_router(events_router)
    app.include_router(recommendations_router)
    app.include_router(orders_router)
    app.include_router(staff_router)
    app.include_router(integrations_admin_router)
    app.include_router(inbound_router)
    app.include_router(chatwoot_router)
    app.include_router(privacy_router)
    app.include_router(staff_login_router)
    app.include_router(staff_admin_router)
    app.include_router(api_keys_router)
    app.include_router(review_router)
    app.include_router(live_router)
    app.include_router(analytics_router)
    app.include_router(pages_router)
    app.include_router(docs_router)

    return app


async def _every(seconds: float, job: Callable[[], None], name: str, stop: asyncio.Event) -> None:
    """Run a blocking job in a worker thread at start, then every `seconds`, until stop."""
    while not stop.is_set():
        try:
            await run_in_threadpool(job)
        except Exception:  # noqa: BLE001 - the next round retries
            log.exception("%s.failed", name)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)


async def _retention_loop(app: FastAPI, days: int, stop: asyncio.Event) -> None:
    """Purge data older than `days` once a day (and at start)."""
    from api.privacy.retention import purge_older_than

    def purge() -> None:
        with app.state.session_factory() as session:
            purge_older_than(session, days)

    await _every(24 * 3600, purge, "privacy.retention", stop)


async def _recovery_loop(app: FastAPI, stop: asyncio.Event) -> None:
    """Answer turns a crashed process left unfinished: at start, then every minute."""
    from api.dialogue.recovery import recover_interrupted

    def recover() -> None:
        with app.state.session_factory() as session:
            for conversation_id, _ in recover_interrupted(session, app.state.settings.turn_recovery_threshold_s):
                app.state.hub.publish(conversation_id, {"type": "history_changed"})

    await _every(60, recover, "dialogue.recovery", stop)
