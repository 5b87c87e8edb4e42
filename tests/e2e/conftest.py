"""The whole stack, real at every step: Rasa server, action server and API on free
loopback ports, PostgreSQL for the API and for Rasa's tracker, the Qdrant Edge index
holding the demo catalog. The trained model is cached by the hash of its inputs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from shoptalk.paths import DEFAULT_VAR
from shoptalk.stack import Stack
from shoptalk.throwaway import throwaway_config
from shoptalk.train import train

TOKEN = "e2e-rasa-token"


@dataclass
class RunningStack:
    """What the e2e tests need to reach the stack."""

    api_url: str
    rasa_url: str
    token: str
    database_url: str


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
def stack(trained_model: Path, postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """Start the real stack once for the e2e session."""
    api_db = _create_database(postgres_url, "shoptalk_e2e")
    tracker_db = _create_database(postgres_url, "rasa_tracker").replace("+psycopg", "")
    config = throwaway_config(
        tmp_path_factory.mktemp("stack-var"), trained_model, TOKEN, database_url=api_db, tracker_url=tracker_db
    )
    running = Stack(config)
    running.start(timeout_s=240, progress=False)
    try:
        yield RunningStack(config.api_url, config.rasa_url, TOKEN, api_db)
    finally:
        running.stop()
