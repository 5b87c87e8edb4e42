"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from sqlalchemy import func, select, text

from api.services import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Return ok while the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(state: ServicesDep) -> JSONResponse:
    """Check each dependency: database, product index, dialogue engine, live hub (Redis when configured)."""
    checks: dict[str, bool] = {}
    try:
        with state.session_factory() as session:
            session.execute(text("SELECT 1"))
        checks["database"] = True
    except Exception:  # noqa: BLE001 - any failure means not ready
        checks["database"] = False
    try:
        state.searcher.index.count()
        checks["product_index"] = True
    except Exception:  # noqa: BLE001
        checks["product_index"] = False
    checks["dialogue"] = bool(state.dialogue.ready())
    checks["live_hub"] = bool(state.hub.ready())
    ready = all(checks.values())
    return JSONResponse(status_code=200 if ready else 503, content={"ready": ready, "checks": checks})


@router.get("/metrics", include_in_schema=False)
def metrics(services: ServicesDep) -> Response:
    """Prometheus metrics (turn latency, NLU confidence, fallbacks, handoffs, webhooks, queue depth)."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    from api.integrations.models import Delivery
    from api.observability.metrics import OUTBOX_PENDING, REGISTRY

    try:
        with services.session_factory() as session:
            OUTBOX_PENDING.set(session.scalar(select(func.count(Delivery.id)).where(Delivery.status == "pending")) or 0)
    except Exception:  # noqa: BLE001 - metrics must answer even when the database does not
        pass
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
