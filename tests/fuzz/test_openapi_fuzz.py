"""Schemathesis against the OpenAPI schema of every public and staff endpoint, on a real
server (uvicorn on loopback, fakes behind the ports): no 5xx, and every 4xx says what is
wrong in `detail`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from api.config import DEV_ADMIN_TOKEN, Settings
from api.dialogue.fake import FakeDialogueEngine
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
    with serve_in_thread(create_app(app_settings, dialogue=FakeDialogueEngine(), searcher=make_searcher())) as url:
        _SERVER["url"] = url
        yield schemathesis.openapi.from_url(url + "/openapi.json")


def _check(case) -> None:  # type: ignore[no-untyped-def]
    response = case.call(base_url=_SERVER["url"], headers={"authorization": f"Bearer {DEV_ADMIN_TOKEN}"})
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
