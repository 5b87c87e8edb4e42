"""Database access for command-line tools: migrate, then hand out one session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from api.config import Settings


@contextmanager
def cli_session(settings: Settings) -> Iterator[Session]:
    """Yield a session on the configured database, migrated to the latest schema."""
    from api.db import make_engine, session_factory
    from api.migrate import upgrade

    upgrade(settings.sqlalchemy_url)
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with session_factory(engine)() as session:
            yield session
    finally:
        engine.dispose()
