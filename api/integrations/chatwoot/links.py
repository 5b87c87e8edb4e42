"""Card links must be absolute with Chatwoot: its widget opens them on Chatwoot's own origin."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.errors import DomainError
from api.integrations.models import Channel


class RelativeProductUrls(DomainError):
    """A relative PRODUCT_URL_TEMPLATE would open a 404 on the Chatwoot host."""

    status_code = 422


def require_absolute_product_urls(template: str) -> None:
    """Refuse a relative PRODUCT_URL_TEMPLATE when Chatwoot is (to be) configured."""
    if not template.startswith(("https://", "http://")):
        raise RelativeProductUrls(
            f"PRODUCT_URL_TEMPLATE is {template!r}; with Chatwoot it must be an absolute URL such as "
            "https://shop.example.com/products/{product_id}: Chatwoot's widget opens card links on its own origin"
        )


def check_at_startup(session_factory: Any, template: str) -> None:
    """Refuse to start with an active Chatwoot channel and relative product links."""
    with session_factory() as session:
        chatwoot = session.scalar(select(Channel.id).where(Channel.kind == "chatwoot", Channel.active.is_(True)))
    if chatwoot is not None:
        try:
            require_absolute_product_urls(template)
        except RelativeProductUrls as exc:
            raise RuntimeError(exc.message) from None
