"""The app's services: built once by the lifespan (api/bootstrap.py), read by routes through
the typed dependencies of api/deps.py.

The lifespan hands them to Starlette as lifespan state, so each request and WebSocket sees
them as `connection.state.services`; no route reaches into `app.state`. Tests that need
another implementation of one service override its dependency in `app.dependency_overrides`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

if TYPE_CHECKING:  # the types only: this module is imported by the modules it names
    from sqlalchemy.orm import Session, sessionmaker

    from api.channels.hub import Hub
    from api.channels.live import LiveChannels
    from api.config import Settings
    from api.dialogue.port import DialogueEngine
    from api.identity.session_tokens import SessionTokens
    from api.integrations.dispatcher import Dispatcher
    from api.integrations.secrets_box import SecretBox
    from api.limits import Limits
    from api.pii.masking import Masker
    from api.recommendations.service import Recommender
    from api.review.taxonomy import Taxonomy
    from api.turns.service import Turns
    from retrieval.search import ProductSearcher


@dataclass(frozen=True)
class Services:
    """Everything a route or a background job needs, built once per process."""

    settings: Settings
    session_factory: sessionmaker[Session]
    dialogue: DialogueEngine
    searcher: ProductSearcher
    recommender: Recommender
    hub: Hub
    limits: Limits
    taxonomy: Taxonomy
    masker: Masker
    turns: Turns
    secret_box: SecretBox
    session_tokens: SessionTokens
    dispatcher: Dispatcher
    live_channels: LiveChannels


def get_services(connection: HTTPConnection) -> Services:
    """Return the services the lifespan built (Starlette's lifespan state)."""
    services: Services = connection.state.services
    return services


class ServicesSlot:
    """Holds the services for code built before the lifespan runs (the socket.io app)."""

    def __init__(self) -> None:
        self._services: Services | None = None

    def fill(self, services: Services) -> None:
        self._services = services

    def get(self) -> Services:
        if self._services is None:
            raise RuntimeError("the app's services are built at startup; the lifespan has not run")
        return self._services


ServicesDep = Annotated[Services, Depends(get_services)]
