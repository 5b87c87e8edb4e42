"""Shopper session tokens: proof that a caller is the shopper session it names.

The API issues a token with each new session (REST `session_token`, the WebSocket's
`session_confirm`); the widget keeps it beside the session id and sends it back
(`X-Session-Token`, or `session_token` in the frame). A token is an HMAC of the session
id under the API's secret key, so nothing is stored and every replica can check it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

_CONTEXT = b"shoptalk-shopper-session\x00"
HEADER = "x-session-token"


class SessionTokens:
    """Issues and checks session tokens under one secret."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(_CONTEXT + secret.encode()).digest()

    def issue(self, session_id: str) -> str:
        """Return the token of a session id."""
        mac = hmac.new(self._key, session_id.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def valid(self, session_id: str, token: str | None) -> bool:
        """True when the token is this session's (constant-time)."""
        return bool(token) and hmac.compare_digest(self.issue(session_id), str(token))
