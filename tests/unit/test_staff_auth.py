"""Staff accounts: argon2 passwords, sessions, roles on every staff and admin endpoint, the audit log."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.config import Settings
from api.staff.models import StaffSession, StaffUser
from api.staff.passwords import verify_password
from tests.support.staff import ADMIN_TOKEN, PASSWORD, create_staff, login, staff_headers

STAFF_ENDPOINTS = [
    ("get", "/v1/staff/conversations"),
    ("get", "/v1/staff/conversations/x"),
    ("post", "/v1/staff/conversations/x/takeover"),
    ("post", "/v1/staff/conversations/x/tags"),
    ("post", "/v1/staff/messages/x/correction"),
    ("get", "/v1/staff/corrections/export"),
    ("get", "/v1/staff/analytics"),
    ("get", "/v1/staff/stream"),
    ("get", "/v1/staff/me"),
]
ADMIN_ENDPOINTS = [
    ("get", "/v1/admin/staff"),
    ("post", "/v1/admin/staff"),
    ("get", "/v1/admin/audit"),
    ("get", "/v1/admin/channels"),
    ("get", "/v1/admin/subscriptions"),
    ("get", "/v1/admin/shoppers/s1/export"),
    ("delete", "/v1/admin/shoppers/s1"),
    ("get", "/v1/analytics/recommendations"),
]


def test_passwords_are_stored_as_argon2_hashes_only(client: TestClient) -> None:
    create_staff(client, "ana", "agent")
    with client.app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        user = session.scalar(select(StaffUser).where(StaffUser.username == "ana"))
        assert user is not None and user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash and verify_password(user.password_hash, PASSWORD)


def test_login_sets_an_httponly_cookie_and_the_cookie_opens_the_console(client: TestClient, anon: TestClient) -> None:
    create_staff(client, "ana", "agent")
    response = anon.post("/v1/staff/login", json={"username": "ana", "password": PASSWORD})  # a browser
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert anon.get("/v1/staff/me").json()["username"] == "ana"  # the client keeps the cookie
    assert anon.get("/console", follow_redirects=False).status_code == 200
    with client.app.state.services.session_factory() as session:  # type: ignore[attr-defined]
        stored = session.scalars(select(StaffSession.token_hash)).all()
    assert response.json()["token"] not in stored, "only the token's hash is stored"


def test_wrong_password_and_unknown_user_get_the_same_refusal(client: TestClient) -> None:
    create_staff(client, "ana", "agent")
    wrong = client.post("/v1/staff/login", json={"username": "ana", "password": "nope nope nope"})
    unknown = client.post("/v1/staff/login", json={"username": "bob", "password": "nope nope nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"detail": "wrong username or password"}


@pytest.mark.parametrize(("method", "path"), STAFF_ENDPOINTS + ADMIN_ENDPOINTS)
def test_anonymous_callers_reach_nothing(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, json={})
    assert response.status_code == 401
    assert "log in" in response.json()["detail"]


def test_anonymous_visitors_of_console_pages_are_sent_to_login(client: TestClient) -> None:
    for page in ("/console", "/console/admin"):
        response = client.get(page, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/console/login")


@pytest.mark.parametrize(("method", "path"), ADMIN_ENDPOINTS)
def test_agents_cannot_reach_admin_endpoints(client: TestClient, method: str, path: str) -> None:
    agent = staff_headers(client, "ana", "agent")
    response = client.request(method, path, json={}, headers=agent)
    assert response.status_code == 403
    assert response.json()["detail"] == "this needs the admin role; ana is an agent"


def test_agents_cannot_open_the_admin_page_but_admins_can(client: TestClient) -> None:
    agent = staff_headers(client, "ana", "agent")
    admin = staff_headers(client, "root", "admin")
    assert client.get("/console/admin", headers=agent, follow_redirects=False).status_code == 403
    assert client.get("/console/admin", headers=admin, follow_redirects=False).status_code == 200
    assert client.get("/v1/admin/staff", headers=admin).status_code == 200


def test_disabling_an_account_ends_its_sessions(client: TestClient) -> None:
    ana = create_staff(client, "ana", "agent")
    headers = login(client, "ana")
    assert client.get("/v1/staff/me", headers=headers).status_code == 200
    client.patch(f"/v1/admin/staff/{ana['id']}", json={"active": False}, headers=ADMIN_TOKEN)
    assert client.get("/v1/staff/me", headers=headers).status_code == 401
    assert client.post("/v1/staff/login", json={"username": "ana", "password": PASSWORD}).status_code == 401


def test_the_last_admin_cannot_be_demoted(client: TestClient) -> None:
    root = create_staff(client, "root", "admin")
    response = client.patch(f"/v1/admin/staff/{root['id']}", json={"role": "agent"}, headers=ADMIN_TOKEN)
    assert response.status_code == 409 and "last active admin" in response.json()["detail"]


def test_logout_ends_the_session(client: TestClient) -> None:
    headers = staff_headers(client, "ana", "agent")
    assert client.post("/v1/staff/logout", headers=headers).status_code == 204
    assert client.get("/v1/staff/me", headers=headers).status_code == 401


def test_weak_passwords_and_duplicate_usernames_are_refused(client: TestClient) -> None:
    short = client.post("/v1/admin/staff", json={"username": "x1", "password": "short"}, headers=ADMIN_TOKEN)
    assert short.status_code == 422 and "password" in short.json()["detail"]
    create_staff(client, "ana", "agent")
    again = client.post("/v1/admin/staff", json={"username": "ANA", "password": PASSWORD}, headers=ADMIN_TOKEN)
    assert again.status_code == 409 and "taken" in again.json()["detail"]


@pytest.fixture
def settings(tmp_path, settings: Settings) -> Settings:  # type: ignore[no-untyped-def]
    return settings.model_copy(update={"rate_limit_login_per_ip": 4})


def test_password_guessing_is_rate_limited(client: TestClient) -> None:
    create_staff(client, "ana", "agent")
    codes = [
        client.post("/v1/staff/login", json={"username": "ana", "password": f"guess {i} guess"}).status_code
        for i in range(6)
    ]
    assert codes[:2] == [401, 401] and codes[-1] == 429


def test_staff_actions_are_in_the_audit_log(client: TestClient) -> None:
    agent = staff_headers(client, "ana", "agent")
    conversation_id = client.post("/v1/chat", json={"sender": "s1", "message": "hi"}).json()["conversation_id"]
    client.post(f"/v1/staff/conversations/{conversation_id}/takeover", headers=agent)
    client.post(f"/v1/staff/conversations/{conversation_id}/messages", json={"text": "Ana here"}, headers=agent)
    client.post(f"/v1/staff/conversations/{conversation_id}/tags", json={"tag": "VIP"}, headers=agent)
    client.post(f"/v1/staff/conversations/{conversation_id}/handback", headers=agent)
    client.get("/v1/staff/corrections/export", headers=agent)
    entries = client.get("/v1/admin/audit", params={"actor": "ana"}, headers=ADMIN_TOKEN).json()["entries"]
    assert [e["action"] for e in reversed(entries)] == [
        "staff.login",
        "conversation.take_over",
        "conversation.reply",
        "conversation.tag",
        "conversation.hand_back",
        "corrections.export",
    ]
    assert entries[2]["detail"] == {"tag": "vip"} and entries[2]["target_id"] == conversation_id
