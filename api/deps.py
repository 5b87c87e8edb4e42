"""Named dependencies; tests swap them with app.dependency_overrides."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.errors import Forbidden, Unauthorized
from api.recommendations.service import Recommender
from api.staff.service import ADMIN_TOKEN_PRINCIPAL, Principal, principal_for_token
from retrieval.search import ProductSearcher


def get_session(request: Request) -> Iterator[Session]:
    """Yield a database session for one request."""
    with request.app.state.session_factory() as session:
        yield session


def get_searcher(request: Request) -> ProductSearcher:
    """Return the product searcher."""
    return request.app.state.searcher


def get_recommender(request: Request) -> Recommender:
    """Return the recommender."""
    return request.app.state.recommender


STAFF_COOKIE = "shoptalk_staff"


def request_credentials(request: Request) -> str:
    """Return the bearer token, else the staff session cookie (empty when neither)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(STAFF_COOKIE, "")


def current_principal(request: Request) -> Principal:
    """Return who makes the request: a logged-in staff member (cookie or bearer session token)
    or the admin token; refuse anonymous requests with 401."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = request_credentials(request)
    if not token:
        raise Unauthorized("log in first (staff session cookie, or Authorization: Bearer <token>)")
    if hmac.compare_digest(token, request.app.state.settings.admin_token):
        principal: Principal | None = ADMIN_TOKEN_PRINCIPAL
    else:
        with request.app.state.session_factory() as session:
            principal = principal_for_token(session=session, token=token)
    if principal is None:
        raise Unauthorized("the session or token is unknown or has expired; log in again")
    request.state.principal = principal
    return principal


def require_agent(request: Request) -> Principal:
    """Any staff member (agent or admin) or the admin token."""
    return current_principal(request)


def require_admin(request: Request) -> Principal:
    """Only admins and the admin token; agents get 403."""
    principal = current_principal(request)
    if not principal.is_admin:
        raise Forbidden(f"this needs the admin role; {principal.username} is an {principal.role}")
    return principal


SessionDep = Annotated[Session, Depends(get_session)]
SearcherDep = Annotated[ProductSearcher, Depends(get_searcher)]
RecommenderDep = Annotated[Recommender, Depends(get_recommender)]
AdminDep = Depends(require_admin)
CurrentStaff = Annotated[Principal, Depends(require_agent)]
CurrentAdmin = Annotated[Principal, Depends(require_admin)]
