"""The web pages the API serves: the chat page, the embeddable widget, the demo shop, the staff console.

Pages hold no data: everything they show comes from the API, which checks the caller on
every request. The console pages check the login here too, so an anonymous visitor is
sent to the login page and an agent never gets the admin page.
"""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from api.deps import current_principal
from api.errors import Unauthorized
from api.services import Services, ServicesDep

WEB = Path(__file__).resolve().parent
router = APIRouter(include_in_schema=False)
ASSETS = {
    "console.css": "text/css",
    "console.js": "text/javascript",
    "charts.js": "text/javascript",
    "login.js": "text/javascript",
    "admin.js": "text/javascript",
}


def _page(name: str) -> FileResponse:
    return FileResponse(WEB / name, media_type="text/html", headers={"Cache-Control": "no-store"})


@router.get("/")
def chat_page() -> FileResponse:
    return _page("chat.html")


@router.get("/widget.js")
def widget_script() -> FileResponse:
    return FileResponse(WEB / "widget.js", media_type="text/javascript", headers={"Cache-Control": "max-age=300"})


@router.get("/shop")
@router.get("/shop/products/{product_id}")
def shop_page(product_id: str | None = None) -> FileResponse:
    return _page("shop.html")


@router.get("/console/login")
def login_page() -> FileResponse:
    return _page("login.html")


@router.get("/console/assets/{name}")
def console_asset(name: str) -> Response:
    if name not in ASSETS:
        return Response(status_code=404, content="no such asset")
    return FileResponse(WEB / name, media_type=ASSETS[name])


def _staff_page(request: Request, services: Services, name: str, admin: bool) -> Response:
    try:
        principal = current_principal(request, services)
    except Unauthorized:
        return RedirectResponse(f"/console/login?next={quote(request.url.path)}", status_code=303)
    if admin and not principal.is_admin:
        return forbidden_page(f"this page needs the admin role; {principal.username} is an {principal.role}")
    return _page(name)


@router.get("/console")
def console_page(request: Request, services: ServicesDep) -> Response:
    return _staff_page(request, services, "console.html", admin=False)


@router.get("/console/admin")
def admin_page(request: Request, services: ServicesDep) -> Response:
    return _staff_page(request, services, "admin.html", admin=True)


def forbidden_page(message: str) -> HTMLResponse:
    """Return a small HTML page for a refused console page."""
    body = f"<!doctype html><title>Forbidden</title><h1>403 Forbidden</h1><p>{html.escape(message)}</p>"
    return HTMLResponse(body, status_code=403)
