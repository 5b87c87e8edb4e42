"""Staff login (cookie for the console, token for API clients), logout, and who am I."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Request, Response

from api.deps import STAFF_COOKIE, CurrentStaff, LimitsDep, SessionDep, SettingsDep, request_credentials
from api.limits import client_ip
from api.staff import service as staff
from api.staff.schemas import LoginIn, LoginOut, StaffOut

router = APIRouter(prefix="/v1/staff", tags=["staff: accounts"])


def limit_login_ip(request: Request, limits: LimitsDep, settings: SettingsDep) -> None:
    """Dependency: per-IP limit on login attempts (slows password guessing)."""
    limits.login_ip.check(client_ip(request, settings.trust_forwarded_for), "login attempts from this address")


@router.post("/login", response_model=LoginOut, dependencies=[Depends(limit_login_ip)])
def login(body: LoginIn, response: Response, session: SessionDep, limits: LimitsDep, settings: SettingsDep) -> LoginOut:
    """Log in: sets an HttpOnly session cookie and returns the token for API clients."""
    limits.login_account.check(body.username.strip().lower(), "login attempts for this account")
    user = staff.authenticate(session=session, username=body.username, password=body.password)
    token, expires = staff.open_session(session=session, user=user, ttl=timedelta(hours=settings.staff_session_hours))
    principal = staff.Principal(id=user.id, username=user.username, role=user.role)
    staff.audit(session, principal, "staff.login", "staff", user.id)
    session.commit()
    response.set_cookie(
        STAFF_COOKIE,
        token,
        max_age=int(settings.staff_session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=settings.shoptalk_env == "production",
        path="/",
    )
    return LoginOut(staff=StaffOut.model_validate(user), token=token, expires_at=expires)


@router.post("/logout", status_code=204)
def logout(request: Request, response: Response, session: SessionDep, who: CurrentStaff) -> None:
    """End this session (cookie or bearer token)."""
    staff.close_session(session=session, token=request_credentials(request))
    staff.audit(session, who, "staff.logout", "staff", who.id or "")
    session.commit()
    response.delete_cookie(STAFF_COOKIE, path="/")


@router.get("/me", response_model=StaffOut | None)
def me(session: SessionDep, who: CurrentStaff) -> StaffOut | None:
    """Return the logged-in staff member (null for the admin token, which is no account)."""
    if who.id is None:
        return None
    return StaffOut.model_validate(staff.get_staff(session=session, staff_id=who.id))
