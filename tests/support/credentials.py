"""Test credentials: call a test app as the shop's backend, or as one shopper session."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from api.identity.api_keys import create_api_key


def as_shop(client: TestClient) -> TestClient:
    """Give a started test client the shop's API key (a new one) and return it."""
    with client.app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        _, key = create_api_key(session=session, name="test-shop", role="shop")
    client.headers["authorization"] = f"Bearer {key}"
    return client


class ShopperSession:
    """One shopper in a browser: keeps the session token the API issued and sends it back."""

    def __init__(self, client: TestClient, sender: str) -> None:
        self.client, self.sender, self.token = client, sender, ""

    def chat(self, message: str, **body: Any) -> Any:
        headers = {"x-session-token": self.token} if self.token else {}
        response = self.client.post(
            "/v1/chat", json={"sender": self.sender, "message": message, **body}, headers=headers
        )
        if response.status_code == 200:
            self.token = response.json()["session_token"]
        return response
