"""/v1/admin/api-keys: the shop's API keys (admins). A key is shown once, when created."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from api.deps import CurrentAdmin, SessionDep
from api.identity import api_keys
from api.staff.service import audit

router = APIRouter(prefix="/v1/admin", tags=["admin: API keys"])


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64, description="What uses the key, e.g. 'shop-backend'")
    role: Literal["shop"] = "shop"


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    role: str
    prefix: str = Field(description="The key's first characters, to tell keys apart")
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The key itself: shown this once, stored only as its SHA-256")


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=201)
def create_key(body: ApiKeyIn, session: SessionDep, admin: CurrentAdmin) -> ApiKeyCreated:
    """Create a shop API key for server-to-server calls (events, orders, identify)."""
    row, key = api_keys.create_api_key(session=session, name=body.name, role=body.role)
    audit(session, admin, "api_key.create", "api_key", row.id)
    session.commit()
    return ApiKeyCreated(**ApiKeyOut.model_validate(row).model_dump(), key=key)


@router.get("/api-keys", response_model=list[ApiKeyOut])
def list_keys(session: SessionDep, _: CurrentAdmin) -> list[ApiKeyOut]:
    """Every key (never the key itself)."""
    return [ApiKeyOut.model_validate(row) for row in api_keys.list_api_keys(session=session)]


@router.delete("/api-keys/{key_id}", status_code=204)
def revoke_key(key_id: str, session: SessionDep, admin: CurrentAdmin) -> None:
    """Revoke a key: it is refused from now on."""
    api_keys.revoke_api_key(session=session, key_id=key_id)
    audit(session, admin, "api_key.revoke", "api_key", key_id)
    session.commit()
