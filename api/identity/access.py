"""Who may act as a shopper session."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.conversations.service import shopper_exists
from api.errors import Unauthorized
from api.identity.api_keys import Service
from api.identity.session_tokens import SessionTokens


def check_sender(session: Session, tokens: SessionTokens, sender: str, token: str, service: Service | None) -> None:
    """A sender seen before must prove it is that session; a new one is issued a token.

    The shop's backend (its API key) may speak for any sender: that is how an integrator's
    own server-side channel posts its shoppers' messages.
    """
    if service is not None and service.role == "shop":
        return
    if token and tokens.valid(sender, token):
        return
    if token or shopper_exists(session, sender):
        raise Unauthorized(
            "this shopper session exists: send the session_token it was issued as X-Session-Token "
            "(or start a new session with another sender id)"
        )
