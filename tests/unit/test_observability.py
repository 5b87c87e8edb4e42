"""/metrics, request ids and security headers."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient


def test_metrics_count_turns_confidence_fallbacks_and_handoffs(client: TestClient) -> None:
    client.post("/v1/chat", json={"sender": "m1", "message": "hi"})
    client.post("/v1/chat", json={"sender": "m1", "message": "blah blah"})  # the fake's fallback
    client.post("/v1/chat", json={"sender": "m2", "message": "a human please"})
    text = client.get("/metrics").text
    assert 'shoptalk_turn_seconds_count{channel="rest",outcome="answered"}' in text
    assert "shoptalk_nlu_confidence_bucket" in text
    assert "shoptalk_fallbacks_total" in text and "shoptalk_handoffs_total" in text
    assert "shoptalk_outbox_pending" in text
    assert 'shoptalk_http_request_seconds_count{method="POST",route="/v1/chat",status="2xx"}' in text


def test_request_ids_are_echoed_or_made_and_reach_the_logs(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    given = client.get("/healthz", headers={"x-request-id": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = client.post("/v1/chat", json={"sender": "r1", "message": "hi"})
    assert len(made.headers["x-request-id"]) == 32
    client.post("/v1/chat", json={"sender": "r1", "message": "hi"}, headers={"x-request-id": "turn-42"})
    turn_logs = [r for r in caplog.records if r.getMessage().startswith("dialogue.turn.done")]
    assert any(getattr(r, "request_id", None) == "turn-42" for r in turn_logs)
    bad = client.get("/healthz", headers={"x-request-id": "<script>"})
    assert bad.headers["x-request-id"] != "<script>"


def test_security_headers_and_a_content_security_policy_on_pages(client: TestClient) -> None:
    api = client.get("/healthz")
    assert api.headers["x-content-type-options"] == "nosniff" and api.headers["x-frame-options"] == "DENY"
    page = client.get("/")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
