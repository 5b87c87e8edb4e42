"""/docs: Swagger UI served by the API itself, from the fastapi-offline package's files.

FastAPI's default /docs loads Swagger UI from a CDN, which the pages' Content-Security-Policy
(`script-src 'self'`) blocks, so the page stayed blank. Here the same page loads the files
from this origin; the CSP stays as strict as for every other page.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse

from api.errors import NotFound

SWAGGER = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}
router = APIRouter(include_in_schema=False)


@router.get("/docs")
def docs() -> HTMLResponse:
    """Swagger UI over /openapi.json, its files from this API."""
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="ShopTalk API",
        swagger_js_url="/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_favicon_url="data:,",  # no request to fastapi.tiangolo.com
        oauth2_redirect_url="/docs/oauth2-redirect",
    )


@router.get("/docs/oauth2-redirect")
def oauth2_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 redirect page."""
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/docs/assets/{name}")
def asset(name: str) -> FileResponse:
    """One of Swagger UI's files (only those the page uses)."""
    if name not in ASSETS:
        raise NotFound(f"no docs asset {name}")
    return FileResponse(SWAGGER / name, media_type=ASSETS[name], headers={"Cache-Control": "public, max-age=86400"})
