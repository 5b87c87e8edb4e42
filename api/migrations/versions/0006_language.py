"""the language of each message and of each conversation (en, zh)

A message's language is read from its text; a conversation's is the one the page states
(the widget's `language`) or, when none is stated, that of the shopper's latest message.
Rows from before this revision have no language (English replies, as before).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("language_source", sa.String(length=8), nullable=True))
        batch.create_index("ix_conversations_language", ["language"])
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("language")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_index("ix_conversations_language")
        batch.drop_column("language_source")
        batch.drop_column("language")
