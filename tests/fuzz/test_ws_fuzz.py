"""The WebSocket channel under fuzzed frames: documented frame types with wrong, missing and
hostile fields, binary frames, malformed JSON. Every frame gets an answer or nothing, never a
dropped connection: after each sequence the socket still answers a ping (issue 19: a binary
frame and a lone surrogate each dropped it with 1006)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.config import Settings
from api.dialogue.fake import FakeDialogueEngine
from api.main import create_app
from tests.fuzz.test_openapi_fuzz import HOSTILE
from tests.unit.conftest import make_searcher

pytestmark = pytest.mark.fuzz

values = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.sampled_from(HOSTILE), st.text(max_size=30),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)  # fmt: skip
documented = st.fixed_dictionaries(
    {"type": st.sampled_from(["session_request", "message", "history", "ping", "nonsense", ""])},
    optional={
        "session_id": values, "session_token": values, "text": values, "client_id": values,
        "metadata": values, "after_seq": values,
    },
)  # fmt: skip
frames = st.one_of(
    documented.map(lambda f: ("text", json.dumps(f))),  # surrogates travel as JSON escapes
    st.binary(max_size=64).map(lambda b: ("bytes", b)),
    st.sampled_from(["{", "[]", "null", '"x"', "{}", '{"type": 5}', "\u0000", "x" * 70_000]).map(lambda t: ("text", t)),
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    var: Path = tmp_path_factory.mktemp("ws-fuzz")
    app_settings = Settings(
        shoptalk_env="test", var_dir=var, encoder="hashing", rate_limit_chat_per_shopper=0, webhook_dispatcher=False
    )
    with TestClient(create_app(app_settings, dialogue=FakeDialogueEngine(), searcher=make_searcher())) as test_client:
        yield test_client


def _drain(ws: Any) -> None:
    """Read until the socket answers a ping: it is still open and in step."""
    ws.send_json({"type": "ping"})
    for _ in range(20):
        if ws.receive_json().get("type") == "pong":
            return
    raise AssertionError("no pong after the fuzzed frames")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(sequence=st.lists(frames, min_size=1, max_size=6))
def test_fuzzed_frames_never_drop_the_connection(client: TestClient, sequence: list[tuple[str, Any]]) -> None:
    with client.websocket_connect("/v1/ws") as ws:
        for kind, payload in sequence:
            if kind == "bytes":
                ws.send_bytes(payload)
            else:
                ws.send_text(payload)
        _drain(ws)
