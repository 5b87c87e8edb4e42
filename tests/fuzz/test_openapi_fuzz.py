"""Schemathesis against the OpenAPI schema of every public and staff endpoint, on a real
server (uvicorn on loopback, fakes behind the ports): no 5xx, and every 4xx says what is
wrong in `detail`.

Schema-valid strings rarely hold what breaks servers, so a second pass takes each
generated case and puts hostile strings in its JSON body: lone surrogates (sent as JSON
escapes, the way a browser's JSON.stringify sends them), NUL and other control characters,
bidi overrides, non-characters. It found nothing the first pass could not, until it did:
a lone surrogate answered 500 (issue 19)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.config import DEV_ADMIN_TOKEN, Settings
from api.dialogue.fake import FakeDialogueEngine
from api.identity.api_keys import create_api_key
from api.main import create_app
from tests.support.net import serve_in_thread
from tests.unit.conftest import make_searcher

pytestmark = pytest.mark.fuzz
_SERVER: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Serve the app on loopback for the module; return its OpenAPI schema."""
    app_settings = Settings(
        shoptalk_env="test",
        var_dir=tmp_path_factory.mktemp("fuzz"),
        encoder="hashing",
        rate_limit_chat_per_shopper=0,
        rate_limit_chat_per_ip=0,
        rate_limit_events_per_ip=0,
        webhook_dispatcher=False,
    )
    app = create_app(app_settings, dialogue=FakeDialogueEngine(), searcher=make_searcher())
    with serve_in_thread(app) as url:
        with app.state.services.session_factory() as session:
            _SERVER["shop_key"] = create_api_key(session=session, name="fuzz-shop")[1]
        _SERVER["url"] = url
        yield schemathesis.openapi.from_url(url + "/openapi.json")


HOSTILE = [
    "\ud800",  # a lone high surrogate
    "\udfff shoes",  # a lone low surrogate
    "shoes\x00please",  # NUL
    "\x1b[31mred\x1b[0m",  # terminal escapes
    "\u202eevil\u202c",  # bidi override
    "\ufffe\uffff",  # non-characters
    "\x7f\x85\x9f",  # DEL and C1 controls
    "a" * 5000,
    "👟" * 300,
]


def _credentials(path: str) -> dict[str, str]:
    """Staff and admin routes get the admin token, the others the shop's key (deeper than 401s)."""
    token = DEV_ADMIN_TOKEN if path.startswith(("/v1/admin", "/v1/staff", "/v1/analytics")) else _SERVER["shop_key"]
    return {"authorization": f"Bearer {token}"}


def _assert_answer(where: str, response: httpx.Response) -> None:
    assert response.status_code < 500, f"{where} -> {response.status_code}: {response.text[:300]}"
    if 400 <= response.status_code < 500 and response.status_code != 405:
        body = response.json()
        assert isinstance(body.get("detail"), str) and body["detail"], f"{where}: {body}"


def _poison(value: object, hostile: str) -> object:
    if isinstance(value, str):
        return hostile
    if isinstance(value, dict):
        return {k: _poison(v, hostile) for k, v in value.items()}
    if isinstance(value, list):
        return [_poison(v, hostile) for v in value]
    return value


def _check(case) -> None:  # type: ignore[no-untyped-def]
    response = case.call(base_url=_SERVER["url"], headers=_credentials(case.path))
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, f"{where} -> {response.status_code}: {response.text[:300]}"
    if 400 <= response.status_code < 500 and response.status_code != 405:
        body = response.json()
        assert isinstance(body.get("detail"), str) and body["detail"], f"{where}: {body}"


def test_no_server_errors_and_every_refusal_explains_itself(api_schema) -> None:  # type: ignore[no-untyped-def]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 40, "every public and staff endpoint is in the schema"
    # The staff event stream never ends by design; tests/integration/test_scale_out.py reads it.
    operations = [op for op in operations if op.path != "/v1/staff/stream"]
    for operation in operations:
        run = settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)(
            given(case=operation.as_strategy())(_check)
        )
        run()


def _check_hostile(case, hostile: str) -> None:  # type: ignore[no-untyped-def]
    if not isinstance(case.body, (dict, list)):
        return
    raw = json.dumps(_poison(case.body, hostile))  # ensure_ascii: a surrogate travels as its \\u escape
    headers = {**_credentials(case.path), "content-type": "application/json"}
    url = _SERVER["url"] + case.formatted_path
    response = httpx.request(case.method, url, content=raw, headers=headers, params=case.query, timeout=30)
    _assert_answer(f"{case.method} {case.formatted_path} with {hostile[:12]!r}", response)


def test_hostile_strings_in_every_json_body_never_make_a_5xx(api_schema) -> None:  # type: ignore[no-untyped-def]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    operations = [op for op in operations if op.method.upper() in ("POST", "PUT", "PATCH")]
    assert len(operations) >= 15
    for operation in operations:
        run = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)(
            given(case=operation.as_strategy(), hostile=st.sampled_from(HOSTILE))(_check_hostile)
        )
        run()
