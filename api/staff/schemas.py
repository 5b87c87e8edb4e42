"""Staff API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.staff.passwords import MIN_LENGTH

Role = Literal["agent", "admin"]
USERNAME = r"^[A-Za-z0-9._@-]+$"


class LoginIn(BaseModel):
    """Credentials of a staff member."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class StaffOut(BaseModel):
    """A staff account as shown to staff (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    display_name: str
    role: Role
    active: bool
    created_at: datetime
    last_login_at: datetime | None = None


class LoginOut(BaseModel):
    """The logged-in staff member, and the session token for API clients (browsers use the cookie)."""

    staff: StaffOut
    token: str
    expires_at: datetime


class StaffIn(BaseModel):
    """A new staff account."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=2, max_length=64, pattern=USERNAME)
    password: str = Field(min_length=MIN_LENGTH, max_length=1024, description=f"At least {MIN_LENGTH} characters")
    role: Role = "agent"
    display_name: str = Field(default="", max_length=128)


class StaffUpdate(BaseModel):
    """Changes to a staff account (only the fields given change)."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    active: bool | None = None
    display_name: str | None = Field(default=None, max_length=128)
    password: str | None = Field(default=None, min_length=MIN_LENGTH, max_length=1024)


class AuditOut(BaseModel):
    """One audit-log entry."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor: str
    action: str
    target_type: str
    target_id: str
    detail: dict[str, Any] | None = None


class AuditPage(BaseModel):
    """A page of the audit log, newest first."""

    total: int
    entries: list[AuditOut]
