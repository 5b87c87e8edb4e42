"""Prometheus metrics of the API, on their own registry (served at /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_SECONDS = Histogram(
    "shoptalk_http_request_seconds",
    "HTTP request duration by route template and status class",
    ["method", "route", "status"],
    registry=REGISTRY,
)
TURN_SECONDS = Histogram(
    "shoptalk_turn_seconds",
    "Time the dialogue engine took for one shopper turn",
    ["channel", "outcome"],
    buckets=(0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10),
    registry=REGISTRY,
)
NLU_CONFIDENCE = Histogram(
    "shoptalk_nlu_confidence",
    "Confidence of the top intent per shopper message",
    buckets=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0),
    registry=REGISTRY,
)
FALLBACKS = Counter("shoptalk_fallbacks_total", "Shopper messages the bot did not understand", registry=REGISTRY)
HANDOFFS = Counter("shoptalk_handoffs_total", "Conversations handed to staff", ["reason"], registry=REGISTRY)
DELIVERIES = Counter(
    "shoptalk_webhook_deliveries_total", "Outgoing webhook attempts by outcome", ["outcome"], registry=REGISTRY
)
OUTBOX_PENDING = Gauge("shoptalk_outbox_pending", "Outgoing deliveries waiting (queue depth)", registry=REGISTRY)
EVENTS = Counter("shoptalk_behaviour_events_total", "Behaviour events by result", ["result"], registry=REGISTRY)
