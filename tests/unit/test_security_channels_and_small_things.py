"""Issue 19, items 2 and 6: Rasa's routes closed to outsiders, and the smaller holes.

Before the fix: Rasa's open `rest` channel was on in bot/credentials.yml, the ShopTalk
channel took any sender without a credential (the e2e tier shows both refused on a real
Rasa: tests/e2e/test_chat_e2e.py), Rasa listened beside the public balancer in compose,
and the admin token opened the console as a cookie.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from api.config import DEV_ADMIN_TOKEN, Settings
from api.deps import STAFF_COOKIE
from shoptalk.retrain import export_corrections
from shoptalk.stack import rasa_credentials_file

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_rasas_open_rest_channel_is_off_unless_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    channels = yaml.safe_load((ROOT / "bot" / "credentials.yml").read_text())
    assert list(channels) == ["channels.shoptalk_rest.ShopTalkInput"]
    monkeypatch.delenv("RASA_REST_CHANNEL", raising=False)
    assert rasa_credentials_file() == "credentials.yml"
    monkeypatch.setenv("RASA_REST_CHANNEL", "true")
    assert "rest" in yaml.safe_load((ROOT / "bot" / rasa_credentials_file()).read_text())


def test_rasa_and_the_action_server_are_on_the_internal_network_only() -> None:
    services = COMPOSE["services"]
    assert COMPOSE["networks"]["internal"]["internal"] is True
    for name in ("rasa", "actions", "rasa-lb", "postgres", "redis", "qdrant"):
        assert services[name]["networks"] == ["internal"], name
        assert "ports" not in services[name], f"{name} publishes a port"
    published = [name for name, s in services.items() if "ports" in s]
    assert published == ["lb"]
    assert "5005" not in (ROOT / "docker" / "nginx.conf").read_text(), "the public balancer does not reach Rasa"


def test_the_admin_token_is_a_bearer_token_not_a_cookie(client: TestClient, anon: TestClient) -> None:
    anon.cookies.set(STAFF_COOKIE, DEV_ADMIN_TOKEN)
    assert anon.get("/v1/staff/conversations").status_code == 401
    anon.cookies.clear()
    bearer = {"authorization": f"Bearer {DEV_ADMIN_TOKEN}"}
    assert anon.get("/v1/staff/conversations", headers=bearer).status_code == 200


def test_export_corrections_without_out_prints_the_yaml(
    settings: Settings, client: TestClient, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert export_corrections(settings, None, None) == 0
    assert 'version: "3.1"' in capsys.readouterr().out


def test_the_docs_page_loads_swagger_from_this_origin(anon: TestClient) -> None:
    page = anon.get("/docs")
    assert page.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in page.text
    assert "cdn.jsdelivr" not in page.text and "script-src 'self'" in page.headers["content-security-policy"]
    script = anon.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text
    assert anon.get("/docs/assets/index.html").status_code == 404, "only the files the page uses"
