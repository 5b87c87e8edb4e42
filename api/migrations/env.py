"""Alembic environment: the URL comes from the config the caller built (api.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

import api.behaviour.models  # noqa: F401 - registers tables
import api.conversations.models  # noqa: F401 - registers tables
import api.identity.models  # noqa: F401 - registers tables
import api.integrations.models  # noqa: F401 - registers tables
import api.review.models  # noqa: F401 - registers tables
import api.staff.models  # noqa: F401 - registers tables
from api.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Emit SQL without a connection."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on the caller's connection (see api.migrate), or a new one."""
    given = config.attributes.get("connection")
    if given is not None:
        context.configure(connection=given, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
