"""each conversation keeps the sequence number of its last message

A new message takes `last_seq + 1` from the conversation row the turn has already read,
instead of reading `max(seq)` over the conversation's messages for every message stored.
The unique index on (conversation_id, seq) still refuses two messages with one number.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("last_seq", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE conversations SET last_seq = "
        "(SELECT COALESCE(MAX(messages.seq), 0) FROM messages WHERE messages.conversation_id = conversations.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("last_seq")
