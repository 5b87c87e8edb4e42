"""The whole stack, real at every step: two Rasa replicas (sharing the PostgreSQL tracker
store and a Redis lock store, as in production), the action server and the API on free
loopback ports, PostgreSQL for the API, the Qdrant Edge index holding the demo catalog.
The trained model is cached by the hash of its inputs."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from api.config import DEV_ADMIN_TOKEN
from shoptalk.paths import DEFAULT_VAR
from shoptalk.stack import Stack
from shoptalk.throwaway import throwaway_config
from shoptalk.train import train
from tests.support.net import free_port
from tests.support.redis_server import throwaway_redis

TOKEN = "e2e-rasa-token"


@dataclass
class RunningStack:
    """What the e2e tests need to reach the stack."""

    api_url: str
    rasa_url: str
    token: str
    database_url: str
    rasa_replica_urls: tuple[str, ...] = ()
    shop_key: str = ""

    @property
    def shop(self) -> dict[str, str]:
        """Headers of the shop's backend (its API key): server-to-server calls, any sender."""
        return {"authorization": f"Bearer {self.shop_key}"}


def _create_database(url: str, name: str) -> str:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """Return the Rasa model for the current bot inputs, training only if it changed."""
    return train(DEFAULT_VAR / "rasa-models")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A throwaway Redis server for the e2e session (Rasa's lock store)."""
    with throwaway_redis() as url:
        yield url


@pytest.fixture(scope="session")
def stack(
    trained_model: Path, postgres_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningStack]:
    """Start the real stack once for the e2e session."""
    api_db = _create_database(postgres_url, "shoptalk_e2e")
    tracker_db = _create_database(postgres_url, "rasa_tracker").replace("+psycopg", "")
    config = throwaway_config(
        tmp_path_factory.mktemp("stack-var"),
        trained_model,
        TOKEN,
        database_url=api_db,
        tracker_url=tracker_db,
        lock_store_url=redis_url,
        rasa_replica_ports=(free_port(),),
    )
    running = Stack(config)
    running.start(timeout_s=300, progress=False)
    replicas = tuple(f"http://{config.host}:{p}" for p in config.rasa_replica_ports)
    try:
        created = httpx.post(
            f"{config.api_url}/v1/admin/api-keys",
            json={"name": "e2e-shop"},
            headers={"authorization": f"Bearer {DEV_ADMIN_TOKEN}"},
            timeout=30,
        )
        created.raise_for_status()
        yield RunningStack(config.api_url, config.rasa_url, TOKEN, api_db, replicas, created.json()["key"])
    finally:
        running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium under Playwright, launched once for the e2e session."""
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is required (make test installs it)"
    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=chromium,
            args=["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield launched
        launched.close()
