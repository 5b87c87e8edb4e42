"""Staff accounts, login sessions and the audit log."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.behaviour.service import as_utc
from api.db import utcnow
from api.errors import DomainError, NotFound, Unauthorized
from api.staff.models import AuditEntry, StaffSession, StaffUser
from api.staff.passwords import hash_password, needs_rehash, verify_password
from api.staff.schemas import StaffIn, StaffUpdate


class StaffConflict(DomainError):
    """The username is taken, or the change would leave no active admin."""

    status_code = 409


@dataclass(frozen=True)
class Principal:
    """Who makes a request: a staff member, or the admin token (integrations, scripts)."""

    id: str | None
    username: str
    role: str

    @property
    def is_admin(self) -> bool:
        """Return True for admins and the admin token."""
        return self.role == "admin"


ADMIN_TOKEN_PRINCIPAL = Principal(id=None, username="admin-token", role="admin")


def token_hash(token: str) -> str:
    """Return the stored form of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_staff(*, session: Session, staff_in: StaffIn) -> StaffUser:
    """Create a staff account (the username must be free)."""
    if session.scalar(select(StaffUser.id).where(func.lower(StaffUser.username) == staff_in.username.lower())):
        raise StaffConflict(f"username {staff_in.username} is taken")
    user = StaffUser(
        username=staff_in.username,
        display_name=staff_in.display_name or staff_in.username,
        role=staff_in.role,
        password_hash=hash_password(staff_in.password),
    )
    session.add(user)
    session.flush()
    return user


def get_staff(*, session: Session, staff_id: str) -> StaffUser:
    """Return a staff account or raise NotFound."""
    user = session.get(StaffUser, staff_id)
    if user is None:
        raise NotFound(f"staff account {staff_id} not found")
    return user


def list_staff(*, session: Session) -> list[StaffUser]:
    """Return every staff account, by username."""
    return list(session.scalars(select(StaffUser).order_by(StaffUser.username)))


def update_staff(*, session: Session, user: StaffUser, change: StaffUpdate) -> list[str]:
    """Apply a change; return the names of the fields changed. Refuses to remove the last active admin."""
    removes_admin = user.role == "admin" and user.active and (change.role == "agent" or change.active is False)
    if removes_admin:
        others = session.scalar(
            select(func.count()).where(StaffUser.role == "admin", StaffUser.active, StaffUser.id != user.id)
        )
        if not others:
            raise StaffConflict("this is the last active admin; make another admin first")
    changed = []
    for field in ("role", "active", "display_name"):
        value = getattr(change, field)
        if value is not None and value != getattr(user, field):
            setattr(user, field, value)
            changed.append(field)
    if change.password is not None:
        user.password_hash = hash_password(change.password)
        changed.append("password")
    if "active" in changed or "password" in changed or "role" in changed:
        session.execute(delete(StaffSession).where(StaffSession.staff_id == user.id))  # log out everywhere
    return changed


def authenticate(*, session: Session, username: str, password: str) -> StaffUser:
    """Return the active account with these credentials, or raise Unauthorized (same answer for any failure)."""
    user = session.scalar(select(StaffUser).where(func.lower(StaffUser.username) == username.lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        raise Unauthorized("wrong username or password")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def open_session(*, session: Session, user: StaffUser, ttl: timedelta) -> tuple[str, datetime]:
    """Start a login session; return its token (shown once) and expiry."""
    token = secrets.token_urlsafe(32)
    expires = utcnow() + ttl
    session.add(StaffSession(token_hash=token_hash(token), staff_id=user.id, expires_at=expires))
    user.last_login_at = utcnow()
    return token, expires


def principal_for_token(*, session: Session, token: str) -> Principal | None:
    """Return who holds this session token, or None when it is unknown, expired or the account is disabled."""
    row = session.get(StaffSession, token_hash(token))
    if row is None or as_utc(row.expires_at) <= utcnow() or not row.staff.active:
        return None
    return Principal(id=row.staff.id, username=row.staff.username, role=row.staff.role)


def close_session(*, session: Session, token: str) -> None:
    """End a login session."""
    session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash(token)))


def purge_expired_sessions(*, session: Session) -> int:
    """Delete expired login sessions; return how many."""
    result = session.execute(delete(StaffSession).where(StaffSession.expires_at < utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)


def audit(
    session: Session,
    actor: Principal,
    action: str,
    target_type: str = "",
    target_id: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Record who did what (in the caller's transaction, so the record and the change commit together)."""
    session.add(
        AuditEntry(
            actor_id=actor.id,
            actor=actor.username,
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail=detail,
        )
    )


def audit_page(
    *, session: Session, action: str | None, actor: str | None, limit: int, offset: int
) -> tuple[int, list[AuditEntry]]:
    """Return the audit log, newest first, filtered by action and actor."""
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset))
    return total, list(rows)
