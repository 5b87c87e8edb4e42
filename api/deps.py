"""Named dependencies; tests swap them with app.dependency_overrides."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from api.errors import Unauthorized
from api.recommendations.service import Recommender
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


def require_admin(request: Request) -> None:
    """Refuse the request unless it carries the admin bearer token."""
    header = request.headers.get("authorization", "")
    token = header[7:] if header.lower().startswith("bearer ") else ""
    if not token:
        raise Unauthorized("this endpoint needs the admin token: Authorization: Bearer <ADMIN_TOKEN>")
    if not hmac.compare_digest(token, request.app.state.settings.admin_token):
        raise Unauthorized("the admin token is wrong")


SessionDep = Annotated[Session, Depends(get_session)]
SearcherDep = Annotated[ProductSearcher, Depends(get_searcher)]
RecommenderDep = Annotated[Recommender, Depends(get_recommender)]
AdminDep = Depends(require_admin)
