"""The app factory. All wiring happens here, in the lifespan (the bootstrap)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from api import health
from api.analytics.router import router as analytics_router
from api.background import BackgroundJobs
from api.behaviour.router import router as events_router
from api.bootstrap import build_services, close_services
from api.catalog.router import router as catalog_router
from api.channels.live import LiveChannels
from api.channels.rest import router as rest_router
from api.channels.socketio_channel import build_socketio_app
from api.channels.ws import router as ws_router
from api.config import Settings, get_settings
from api.conversations.staff_router import router as staff_router
from api.db import make_engine
from api.dialogue.port import DialogueEngine
from api.errors import install_error_handlers
from api.identity.admin_router import router as api_keys_router
from api.integrations.admin_router import router as integrations_admin_router
from api.integrations.chatwoot import router as chatwoot_router
from api.integrations.inbound_router import router as inbound_router
from api.logging_setup import configure_logging
from api.observability.middleware import install as install_observability
from api.orders.router import router as orders_router
from api.privacy.router import router as privacy_router
from api.recommendations.router import router as recommendations_router
from api.review.live import router as live_router
from api.review.router import router as review_router
from api.services import Services, ServicesSlot
from api.shopping.router import router as shopping_router
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

    slot = ServicesSlot()
    live_channels = LiveChannels()  # channels built below register their adapters here

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Services]]:
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
        services = await build_services(settings, engine, dialogue, searcher, live_channels)
        slot.fill(services)
        app.state.services = services  # for tests and scripts that hold the app; routes use deps
        jobs = BackgroundJobs(services)
        jobs.start()
        log.info("api.started env=%s", settings.shoptalk_env)
        yield {"services": services}  # Starlette's lifespan state: each connection's state.services
        await jobs.stop()
        await close_services(services, owns_searcher=searcher is None)
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
    app.mount(
        "/socket.io", build_socketio_app(slot.get, live_channels, settings.cors_origins or "*", settings.redis_url)
    )
    _include_routers(app)
    return app


def _include_routers(app: FastAPI) -> None:
    """Every HTTP route, by area."""
    for router in (
        health.router,
        rest_router,
        ws_router,
        catalog_router,
        events_router,
        recommendations_router,
        orders_router,
        shopping_router,
        staff_router,
        integrations_admin_router,
        inbound_router,
        chatwoot_router,
        privacy_router,
        staff_login_router,
        staff_admin_router,
        api_keys_router,
        review_router,
        live_router,
        analytics_router,
        pages_router,
        docs_router,
    ):
        app.include_router(router)
