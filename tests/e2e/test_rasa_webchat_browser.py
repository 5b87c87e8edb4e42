"""An unchanged rasa-webchat widget (from the npm registry) talks to our socket.io channel
in a real headless Chromium: text replies, a product carousel, and a session that
survives a page reload."""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from shoptalk.paths import DEFAULT_VAR
from tests.e2e.conftest import RunningStack
from tests.support.net import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WEBCHAT = "rasa-webchat@1.0.1"
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Shop with rasa-webchat</title></head>
<body><h1>Demo shop</h1><div id="webchat"></div>
<script src="/rasa-webchat.js"></script>
<script>
  WebChat.default({
    selector: "#webchat", socketUrl: "%(api)s", socketPath: "/socket.io/",
    customData: {language: "en"}, title: "ShopTalk", embedded: true,
    params: {storage: "local"}, customMessageDelay: () => 0
  }, document.getElementById("webchat"));
</script></body></html>"""


@pytest.fixture(scope="module")
def webchat_bundle() -> Path:
    """Return rasa-webchat's browser bundle, fetched once from the npm registry."""
    cache = DEFAULT_VAR / "cache" / "npm"
    bundle = cache / "rasa-webchat-1.0.1" / "lib" / "index.js"
    if not bundle.exists():
        npm = shutil.which("npm")
        assert npm, "npm is required to fetch rasa-webchat from the npm registry"
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "pack", WEBCHAT, "--pack-destination", str(cache)], check=True, capture_output=True)
        with tarfile.open(cache / "rasa-webchat-1.0.1.tgz") as tar:
            tar.extractall(cache / "rasa-webchat-1.0.1-tmp", filter="data")
        (cache / "rasa-webchat-1.0.1-tmp" / "package").rename(cache / "rasa-webchat-1.0.1")
    return bundle


@contextlib.contextmanager
def shop_page(api_url: str, bundle: Path, folder: Path) -> Iterator[str]:
    """Serve a plain shop page embedding the widget, from another origin than the API."""
    (folder / "index.html").write_text(PAGE % {"api": api_url})
    shutil.copy(bundle, folder / "rasa-webchat.js")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/index.html"
    finally:
        server.shutdown()


def test_rasa_webchat_widget_gets_text_and_a_carousel(
    stack: RunningStack, webchat_bundle: Path, tmp_path: Path, browser: Any
) -> None:
    with shop_page(stack.api_url, webchat_bundle, tmp_path) as url:
        context = browser.new_context(viewport={"width": 900, "height": 900})
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(".rw-new-message", timeout=30_000)
        page.fill(".rw-new-message", "I'm looking for running shoes")
        page.press(".rw-new-message", "Enter")
        page.wait_for_selector(".rw-carousel-card", timeout=60_000)
        titles = page.locator(".rw-carousel-card-title").all_inner_texts()
        assert titles and all(t.strip() for t in titles)
        assert any("shoe" in t.lower() for t in titles)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "rasa-webchat.png"))
        session_id = page.evaluate("() => JSON.parse(localStorage.getItem('chat_session') || '{}').session_id")

        page.reload()
        page.wait_for_selector(".rw-new-message", timeout=30_000)
        before = page.locator(".rw-message").count()
        page.fill(".rw-new-message", "hello")
        page.press(".rw-new-message", "Enter")
        page.wait_for_function(
            "(n) => document.querySelectorAll('.rw-message').length >= n + 2", arg=before, timeout=60_000
        )
        context.close()

    engine = create_engine(stack.database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.external_id, count(m.id) FROM conversations c JOIN shoppers s ON s.id = c.shopper_id "
                "JOIN messages m ON m.conversation_id = c.id WHERE c.channel = 'socketio' AND m.author = 'shopper' "
                "GROUP BY s.external_id"
            )
        ).all()
    engine.dispose()
    assert len(rows) == 1, f"one shopper across the reload, got {rows}"
    assert rows[0][1] == 2
    if session_id:
        assert rows[0][0] == session_id
