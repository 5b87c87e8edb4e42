"""each conversation keeps the sequence number of its last message

A message's number is reserved with one atomic `UPDATE conversations ... RETURNING` on
`last_seq` (floored at the newest stored seq), which carries the conversation's other
changes, instead of a `max(seq)` read for every message stored. The unique index on
(conversation_id, seq) still refuses two messages with one number.

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
