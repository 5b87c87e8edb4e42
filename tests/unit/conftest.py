"""Unit-tier fixtures: the app on fakes (scripted dialogue, in-memory index, SQLite file)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.dialogue.fake import FakeDialogueEngine
from api.identity.api_keys import create_api_key
from api.main import create_app
from retrieval.encoders.hashing import HashingDenseEncoder, HashingSparseEncoder
from retrieval.index.memory import InMemoryProductIndex
from retrieval.search import ProductSearcher
from tests.support.catalog import PRODUCTS


def make_searcher() -> ProductSearcher:
    """Return a searcher over the small test catalog on fakes."""
    dense, sparse = HashingDenseEncoder(), HashingSparseEncoder()
    index = InMemoryProductIndex()
    texts = [p.search_text() for p in PRODUCTS]
    index.upsert(PRODUCTS, dense.encode_documents(texts), [sparse.encode_document(t) for t in texts])
    searcher = ProductSearcher(index, dense, sparse)
    searcher.refresh_vocabulary()  # now, so no test races the background refresh
    return searcher


@pytest.fixture
def engine() -> FakeDialogueEngine:
    """Return the scripted dialogue engine."""
    return FakeDialogueEngine()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Return test settings with state in a temp folder."""
    return Settings(
        shoptalk_env="test",
        var_dir=tmp_path,
        encoder="hashing",
        rate_limit_chat_per_shopper=0,  # tests/unit/test_rate_limits.py turns them on
        rate_limit_chat_per_ip=0,
        rate_limit_events_per_ip=0,
    )


@pytest.fixture
def client(settings: Settings, engine: FakeDialogueEngine) -> Iterator[TestClient]:
    """Return a test client of the app wired to fakes, calling as the shop's backend (its API key).

    Tests of what an anonymous visitor may do use `anon`, a client of the same app with no credential.
    """
    app = create_app(settings, dialogue=engine, searcher=make_searcher())
    with TestClient(app) as test_client:
        with app.state.services.session_factory() as session:
            _, key = create_api_key(session=session, name="test-shop", role="shop")
        test_client.headers["authorization"] = f"Bearer {key}"
        yield test_client


@pytest.fixture
def anon(client: TestClient) -> TestClient:
    """Return a client of the same running app that sends no credential (a hostile visitor)."""
    visitor = TestClient(client.app)
    visitor.app_state.update(client.app_state)  # the running app's lifespan state (its services)
    return visitor
