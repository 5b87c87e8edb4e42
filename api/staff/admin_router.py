"""Admin only: staff accounts and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentAdmin, SessionDep
from api.staff import service as staff
from api.staff.schemas import AuditOut, AuditPage, StaffIn, StaffOut, StaffUpdate

router = APIRouter(prefix="/v1/admin", tags=["admin: staff"])


@router.get("/staff", response_model=list[StaffOut])
def list_staff(session: SessionDep, _: CurrentAdmin) -> list[StaffOut]:
    """Return every staff account."""
    return [StaffOut.model_validate(u) for u in staff.list_staff(session=session)]


@router.post("/staff", response_model=StaffOut, status_code=201)
def create_staff(body: StaffIn, session: SessionDep, who: CurrentAdmin) -> StaffOut:
    """Create an agent or admin account."""
    user = staff.create_staff(session=session, staff_in=body)
    staff.audit(session, who, "staff.create", "staff", user.id, {"username": user.username, "role": user.role})
    session.commit()
    return StaffOut.model_validate(user)


@router.patch("/staff/{staff_id}", response_model=StaffOut)
def update_staff(staff_id: str, body: StaffUpdate, session: SessionDep, who: CurrentAdmin) -> StaffOut:
    """Change a role, disable or enable an account, or set a new password (its sessions end)."""
    user = staff.get_staff(session=session, staff_id=staff_id)
    changed = staff.update_staff(session=session, user=user, change=body)
    staff.audit(session, who, "staff.update", "staff", user.id, {"changed": changed, "role": user.role})
    session.commit()
    return StaffOut.model_validate(user)


@router.get("/audit", response_model=AuditPage)
def audit_log(
    session: SessionDep,
    _: CurrentAdmin,
    action: str | None = None,
    actor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> AuditPage:
    """Return the audit log, newest first."""
    total, rows = staff.audit_page(session=session, action=action, actor=actor, limit=limit, offset=offset)
    return AuditPage(total=total, entries=[AuditOut.model_validate(r) for r in rows])
