"""Named, typed dependencies: every service a route needs (tests swap one with
app.dependency_overrides). The services come from the lifespan (api/services.py)."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from api.channels.hub import Hub
from api.config import Settings
from api.conversations.service import shopper_of_conversation
from api.dialogue.port import DialogueEngine
from api.errors import Forbidden, Unauthorized
from api.identity.api_keys import Service, service_for_key
from api.identity.session_tokens import HEADER as SESSION_TOKEN_HEADER
from api.identity.session_tokens import SessionTokens
from api.integrations.secrets_box import SecretBox
from api.limits import Limits
from api.recommendations.service import Recommender
from api.review.taxonomy import Taxonomy
from api.services import ServicesDep
from api.staff.service import ADMIN_TOKEN_PRINCIPAL, Principal, principal_for_token
from api.turns.service import Turns
from retrieval.search import ProductSearcher


def get_session_factory(services: ServicesDep) -> sessionmaker[Session]:
    """Return the database session factory (for work outside the request's session)."""
    return services.session_factory


SessionFactoryDep = Annotated[sessionmaker[Session], Depends(get_session_factory)]


def get_session(factory: SessionFactoryDep) -> Iterator[Session]:
    """Yield a database session for one request."""
    with factory() as session:
        yield session


def get_app_settings(services: ServicesDep) -> Settings:
    """Return the app's settings."""
    return services.settings


def get_searcher(services: ServicesDep) -> ProductSearcher:
    """Return the product searcher."""
    return services.searcher


def get_recommender(services: ServicesDep) -> Recommender:
    """Return the recommender."""
    return services.recommender


def get_turns(services: ServicesDep) -> Turns:
    """Return the turn handler (store, understand, reply)."""
    return services.turns


def get_dialogue(services: ServicesDep) -> DialogueEngine:
    """Return the dialogue engine (Rasa)."""
    return services.dialogue


def get_limits(services: ServicesDep) -> Limits:
    """Return the rate limiters."""
    return services.limits


def get_hub(services: ServicesDep) -> Hub:
    """Return the live hub (shoppers' sockets and the staff console follow it)."""
    return services.hub


def get_taxonomy(services: ServicesDep) -> Taxonomy:
    """Return the intent taxonomy."""
    return services.taxonomy


def get_secret_box(services: ServicesDep) -> SecretBox:
    """Return the box that seals integration secrets at rest."""
    return services.secret_box


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
TurnsDep = Annotated[Turns, Depends(get_turns)]
DialogueDep = Annotated[DialogueEngine, Depends(get_dialogue)]
LimitsDep = Annotated[Limits, Depends(get_limits)]
HubDep = Annotated[Hub, Depends(get_hub)]
TaxonomyDep = Annotated[Taxonomy, Depends(get_taxonomy)]
SecretBoxDep = Annotated[SecretBox, Depends(get_secret_box)]


STAFF_COOKIE = "shoptalk_staff"


def bearer_token(request: Request) -> str:
    """Return the `Authorization: Bearer` token (empty when none)."""
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def request_credentials(request: Request) -> str:
    """Return the bearer token, else the staff session cookie (empty when neither)."""
    return bearer_token(request) or request.cookies.get(STAFF_COOKIE, "")


def current_service(request: Request, services: ServicesDep) -> Service | None:
    """Return the server-side caller (a shop API key, the action server's key), if any."""
    key = bearer_token(request)
    if not key:
        return None
    with services.session_factory() as session:
        return service_for_key(session=session, key=key, actions_key=services.settings.actions_api_key)


OptionalServiceDep = Annotated[Service | None, Depends(current_service)]


def require_service(service: OptionalServiceDep) -> Service:
    """A shop API key or the action server's key; anyone else gets 401."""
    if service is None:
        raise Unauthorized("this endpoint is server-to-server: send the shop's API key as Authorization: Bearer")
    return service


def get_session_tokens(services: ServicesDep) -> SessionTokens:
    """Return the shopper session-token issuer."""
    return services.session_tokens


def presented_session_token(request: Request) -> str:
    """Return the shopper session token sent with the request (empty when none)."""
    return request.headers.get(SESSION_TOKEN_HEADER, "")


def current_principal(request: Request, services: ServicesDep) -> Principal:
    """Return who makes the request: a logged-in staff member (cookie or bearer session token)
    or the admin token; refuse anonymous requests with 401."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    token = request_credentials(request)
    if not token:
        raise Unauthorized("log in first (staff session cookie, or Authorization: Bearer <token>)")
    # the admin token is a bearer token for scripts; a cookie carrying it is refused
    if bearer_token(request) == token and hmac.compare_digest(token, services.settings.admin_token):
        principal: Principal | None = ADMIN_TOKEN_PRINCIPAL
    else:
        with services.session_factory() as session:
            principal = principal_for_token(session=session, token=token)
    if principal is None:
        raise Unauthorized("the session or token is unknown or has expired; log in again")
    request.state.principal = principal
    return principal


def optional_principal(request: Request, services: ServicesDep) -> Principal | None:
    """Return the staff member making the request, or None for anyone else."""
    if not request_credentials(request):
        return None
    try:
        return current_principal(request, services)
    except Unauthorized:
        return None


def require_conversation_access(
    conversation_id: str,
    request: Request,
    services: ServicesDep,
    service: OptionalServiceDep,
) -> None:
    """A conversation is read by its own shopper session (X-Session-Token), staff, or a service."""
    if service is not None or optional_principal(request, services) is not None:
        return
    with services.session_factory() as session:
        owner = shopper_of_conversation(session, conversation_id)
    if owner is None or not services.session_tokens.valid(owner, presented_session_token(request)):
        raise Unauthorized("send the session token of this conversation's shopper (X-Session-Token), or log in")


def require_agent(request: Request, services: ServicesDep) -> Principal:
    """Any staff member (agent or admin) or the admin token."""
    return current_principal(request, services)


def require_admin(request: Request, services: ServicesDep) -> Principal:
    """Only admins and the admin token; agents get 403."""
    principal = current_principal(request, services)
    if not principal.is_admin:
        raise Forbidden(f"this needs the admin role; {principal.username} is an {principal.role}")
    return principal


SessionDep = Annotated[Session, Depends(get_session)]
SearcherDep = Annotated[ProductSearcher, Depends(get_searcher)]
RecommenderDep = Annotated[Recommender, Depends(get_recommender)]
AdminDep = Depends(require_admin)
ServiceDep = Annotated[Service, Depends(require_service)]
SessionTokensDep = Annotated[SessionTokens, Depends(get_session_tokens)]
PresentedTokenDep = Annotated[str, Depends(presented_session_token)]
CurrentStaff = Annotated[Principal, Depends(require_agent)]
CurrentAdmin = Annotated[Principal, Depends(require_admin)]
