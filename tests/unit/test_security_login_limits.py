"""Issue 19, item 5: the login limit cannot be sidestepped with X-Forwarded-For.

Before the fix, after plain attempts got 429, the same attempts with `X-Forwarded-For:
10.1.1.1` were processed again (uvicorn trusts forwarded headers from 127.0.0.1 by default),
and the limit was keyed on the address alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.dialogue.fake import FakeDialogueEngine
from api.main import create_app
from shoptalk.stack import uvicorn_proxy_flags
from tests.unit.conftest import make_searcher


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(shoptalk_env="test", var_dir=tmp_path, encoder="hashing", rate_limit_login_per_ip=4)
    with TestClient(create_app(settings, dialogue=FakeDialogueEngine(), searcher=make_searcher())) as client:
        yield client


def _attempts(client: TestClient, n: int, **headers: str) -> list[int]:
    body = {"username": "ana", "password": "wrong-password-123"}
    return [client.post("/v1/staff/login", json=body, headers=headers).status_code for _ in range(n)]


def test_a_forged_forwarded_for_does_not_reset_the_limit(limited: TestClient) -> None:
    assert 429 in _attempts(limited, 4)
    assert set(_attempts(limited, 3, **{"x-forwarded-for": "10.1.1.1"})) == {429}
    assert set(_attempts(limited, 3, **{"x-forwarded-for": "10.9.9.9, 10.1.1.2"})) == {429}


def test_the_limit_follows_the_account_across_addresses(limited: TestClient) -> None:
    # the app trusts X-Forwarded-For here, as behind a real proxy: each attempt from a new address
    limited.app.state.services.settings.trust_forwarded_for = True  # type: ignore[attr-defined]
    codes = _attempts(limited, 2, **{"x-forwarded-for": "10.0.0.1"}) + _attempts(
        limited, 2, **{"x-forwarded-for": "10.0.0.2"}
    )
    codes += _attempts(limited, 2, **{"x-forwarded-for": "10.0.0.3"})
    assert 429 in codes, codes


def test_uvicorn_gets_proxy_flags_from_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRUST_FORWARDED_FOR", raising=False)
    assert uvicorn_proxy_flags() == ["--no-proxy-headers"]
    monkeypatch.setenv("TRUST_FORWARDED_FOR", "true")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.5")
    assert uvicorn_proxy_flags() == ["--proxy-headers", "--forwarded-allow-ips", "10.0.0.5"]
