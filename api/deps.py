"""Named dependencies; tests swap them with app.dependency_overrides."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.conversations.service import shopper_of_conversation
from api.errors import Forbidden, Unauthorized
from api.identity.api_keys import Service, service_for_key
from api.identity.session_tokens import HEADER as SESSION_TOKEN_HEADER
from api.identity.session_tokens import SessionTokens
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


def bearer_token(request: Request) -> str:
    """Return the `Authorization: Bearer` token (empty when none)."""
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def request_credentials(request: Request) -> str:
    """Return the bearer token, else the staff session cookie (empty when neither)."""
    return bearer_token(request) or request.cookies.get(STAFF_COOKIE, "")


def current_service(request: Request) -> Service | None:
    """Return the server-side caller (a shop API key, the action server's key), if any."""
    key = bearer_token(request)
    if not key:
        return None
    with request.app.state.session_factory() as session:
        return service_for_key(session=session, key=key, actions_key=request.app.state.settings.actions_api_key)


def require_service(request: Request) -> Service:
    """A shop API key or the action server's key; anyone else gets 401."""
    service = current_service(request)
    if service is None:
        raise Unauthorized("this endpoint is server-to-server: send the shop's API key as Authorization: Bearer")
    return service


def get_session_tokens(request: Request) -> SessionTokens:
    """Return the shopper session-token issuer."""
    return request.app.state.session_tokens


def presented_session_token(request: Request) -> str:
    """Return the shopper session token sent with the request (empty when none)."""
    return request.headers.get(SESSION_TOKEN_HEADER, "")


def current_principal(request: Request) -> Principal:
    """Return who makes the request: a logged-in staff member (cookie or bearer session token)
    or the admin token; refuse anonymous requests with 401."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = request_credentials(request)
    if not token:
        raise Unauthorized("log in first (staff session cookie, or Authorization: Bearer <token>)")
    # the admin token is a bearer token for scripts; a cookie carrying it is refused
    if bearer_token(request) == token and hmac.compare_digest(token, request.app.state.settings.admin_token):
        principal: Principal | None = ADMIN_TOKEN_PRINCIPAL
    else:
        with request.app.state.session_factory() as session:
            principal = principal_for_token(session=session, token=token)
    if principal is None:
        raise Unauthorized("the session or token is unknown or has expired; log in again")
    request.state.principal = principal
    return principal


def optional_principal(request: Request) -> Principal | None:
    """Return the staff member making the request, or None for anyone else."""
    if not request_credentials(request):
        return None
    try:
        return current_principal(request)
    except Unauthorized:
        return None


def require_conversation_access(conversation_id: str, request: Request) -> None:
    """A conversation is read by its own shopper session (X-Session-Token), staff, or a service."""
    if current_service(request) is not None or optional_principal(request) is not None:
        return
    with request.app.state.session_factory() as session:
        owner = shopper_of_conversation(session, conversation_id)
    if owner is None or not get_session_tokens(request).valid(owner, presented_session_token(request)):
        raise Unauthorized("send the session token of this conversation's shopper (X-Session-Token), or log in")


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
ServiceDep = Annotated[Service, Depends(require_service)]
OptionalServiceDep = Annotated[Service | None, Depends(current_service)]
SessionTokensDep = Annotated[SessionTokens, Depends(get_session_tokens)]
PresentedTokenDep = Annotated[str, Depends(presented_session_token)]
CurrentStaff = Annotated[Principal, Depends(require_agent)]
CurrentAdmin = Annotated[Principal, Depends(require_admin)]
