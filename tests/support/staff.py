"""Staff accounts for tests: created through the admin API, logged in through the login API."""

from __future__ import annotations

from typing import Any

from api.config import DEV_ADMIN_TOKEN

ADMIN_TOKEN = {"authorization": f"Bearer {DEV_ADMIN_TOKEN}"}
PASSWORD = "correct horse battery"  # noqa: S105 - a test account's password


def create_staff(client: Any, username: str, role: str, password: str = PASSWORD) -> dict[str, Any]:
    """Create a staff account with the admin token; return it."""
    response = client.post(
        "/v1/admin/staff", json={"username": username, "password": password, "role": role}, headers=ADMIN_TOKEN
    )
    assert response.status_code == 201, response.text
    return response.json()


def login(client: Any, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in; return the bearer header of the new session."""
    response = client.post("/v1/staff/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"authorization": f"Bearer {response.json()['token']}"}


def staff_headers(client: Any, username: str, role: str) -> dict[str, str]:
    """Create an account and log it in; return its bearer header."""
    create_staff(client, username, role)
    return login(client, username)
