"""Build the app's services from settings (the composition root's parts), and close them."""

from __future__ import annotations

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from api.channels.hub import Hub, LocalHub
from api.channels.live import LiveChannels
from api.config import Settings
from api.db import session_factory
from api.dialogue.port import DialogueEngine
from api.identity.session_tokens import SessionTokens
from api.integrations.chatwoot.links import check_at_startup as check_chatwoot_links
from api.integrations.dispatcher import Dispatcher, RetryPolicy
from api.integrations.secrets_box import SecretBox
from api.limits import Limits
from api.pii.masking import masker_from
from api.recommendations.service import Recommender
from api.review.taxonomy import Taxonomy
from api.services import Services
from api.turns.service import Turns
from retrieval.search import ProductSearcher


async def build_services(
    settings: Settings,
    engine: Engine,
    dialogue: DialogueEngine | None,
    searcher: ProductSearcher | None,
    live_channels: LiveChannels,
) -> Services:
    """Build every service; the dialogue engine and the searcher only when not given."""
    sessions = session_factory(engine)
    check_chatwoot_links(sessions, settings.product_url_template)
    if dialogue is None:
        from api.dialogue.rasa import RasaDialogueEngine

        dialogue = RasaDialogueEngine(settings.rasa_url, settings.rasa_token, settings.rasa_timeout_s)
    if searcher is None:
        from api.catalog.wiring import build_searcher

        searcher = await run_in_threadpool(build_searcher, settings)
    hub = await _hub(settings)
    masker = masker_from(settings.pii_mask_kinds, settings.pii_extra_patterns)
    secret_box = SecretBox(settings.secret_key)
    return Services(
        settings=settings,
        session_factory=sessions,
        dialogue=dialogue,
        searcher=searcher,
        recommender=Recommender(searcher),
        hub=hub,
        limits=Limits(
            settings.rate_limit_chat_per_shopper,
            settings.rate_limit_chat_per_ip,
            settings.rate_limit_events_per_ip,
            settings.rate_limit_login_per_ip,
            settings.redis_url,
        ),
        taxonomy=Taxonomy.load(settings.taxonomy_path),
        masker=masker,
        turns=Turns(dialogue, settings.max_message_bytes, masker, hub, resume_after_s=settings.turn_retry_after_s),
        secret_box=secret_box,
        session_tokens=SessionTokens(settings.secret_key),
        dispatcher=Dispatcher(
            sessions,
            secret_box,
            RetryPolicy(settings.webhook_max_attempts, settings.webhook_backoff_base_s, settings.webhook_backoff_cap_s),
            timeout_s=settings.webhook_timeout_s,
            poll_s=settings.webhook_poll_s,
        ),
        live_channels=live_channels,
    )


async def _hub(settings: Settings) -> Hub:
    """The live hub: Redis pub/sub across replicas when configured, else in-process."""
    if not settings.redis_url:
        return LocalHub()
    from api.channels.redis_hub import RedisHub

    hub = RedisHub(settings.redis_url)
    await hub.start()
    return hub


async def close_services(services: Services, *, owns_searcher: bool) -> None:
    """Release what build_services opened (the searcher only when it built it)."""
    from api.channels.redis_hub import RedisHub

    if isinstance(services.hub, RedisHub):
        await services.hub.stop()
    if owns_searcher:
        services.searcher.index.close()
