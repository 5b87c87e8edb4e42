"""The whole stack, real at every step: Rasa server, action server and API on free
loopback ports, PostgreSQL for the API and for Rasa's tracker, the Qdrant Edge index
holding the demo catalog. The trained model is cached by the hash of its inputs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from api.config import Settings
from shoptalk.ingest_cmd import ingest
from shoptalk.paths import DEFAULT_VAR, DEMO_CATALOG
from shoptalk.stack import Stack, StackConfig
from shoptalk.train import train
from tests.support.net import free_port

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
    var = tmp_path_factory.mktemp("stack-var")
    shared_models = DEFAULT_VAR / "models"
    shared_models.mkdir(parents=True, exist_ok=True)
    os.symlink(shared_models, var / "models")  # ONNX export and embedding cache are reused
    ingest(Settings(var_dir=var), DEMO_CATALOG, None, if_needed=False)
    api_db = _create_database(postgres_url, "shoptalk_e2e")
    tracker_db = _create_database(postgres_url, "rasa_tracker").replace("+psycopg", "")
    config = StackConfig(
        var_dir=var,
        model=trained_model,
        rasa_token=TOKEN,
        database_url=api_db,
        tracker_url=tracker_db,
        api_port=free_port(),
        rasa_port=free_port(),
        actions_port=free_port(),
    )
    running = Stack(config)
    running.start(timeout_s=240, progress=False)
    try:
        yield RunningStack(config.api_url, config.rasa_url, TOKEN, api_db)
    finally:
        running.stop()
