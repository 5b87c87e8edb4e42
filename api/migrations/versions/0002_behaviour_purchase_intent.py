"""behaviour events, purchase intent per conversation, message client ids

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "behaviour_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=24), nullable=False),
        sa.Column("session_id", sa.String(length=128), nullable=True),
        sa.Column("customer_id", sa.String(length=128), nullable=True),
        sa.Column("product_id", sa.String(length=128), nullable=True),
        sa.Column("query", sa.String(length=512), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("price", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=True),
        sa.Column("conversation_id", sa.String(length=36), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index("ix_behaviour_events_session_time", "behaviour_events", ["session_id", "occurred_at"])
    op.create_index("ix_behaviour_events_customer_time", "behaviour_events", ["customer_id", "occurred_at"])
    op.create_index("ix_behaviour_events_product_type", "behaviour_events", ["product_id", "type"])
    op.create_index("ix_behaviour_events_occurred_at", "behaviour_events", ["occurred_at"])
    op.create_index("ix_behaviour_events_conversation_id", "behaviour_events", ["conversation_id"])

    with op.batch_alter_table("conversations") as batch_op:
        batch_op.add_column(sa.Column("purchase_stage", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("purchase_score", sa.Float(), nullable=True))
        batch_op.create_index("ix_conversations_purchase_stage", ["purchase_stage"])

    with op.batch_alter_table("messages") as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_messages_conversation_client_id", ["conversation_id", "client_id"], unique=True)
        batch_op.create_index("ix_messages_stage", ["stage"])

    op.create_table(
        "purchase_intent_snapshots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("conversation_id", sa.String(length=36), nullable=False),
        sa.Column("stage", sa.String(length=24), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("nlu_score", sa.Float(), nullable=True),
        sa.Column("behaviour_score", sa.Float(), nullable=False),
        sa.Column("signals", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_purchase_intent_conversation_time", "purchase_intent_snapshots", ["conversation_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_purchase_intent_conversation_time", table_name="purchase_intent_snapshots")
    op.drop_table("purchase_intent_snapshots")
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_index("ix_messages_stage")
        batch_op.drop_index("ix_messages_conversation_client_id")
        batch_op.drop_column("client_id")
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_index("ix_conversations_purchase_stage")
        batch_op.drop_column("purchase_score")
        batch_op.drop_column("purchase_stage")
    for name in (
        "ix_behaviour_events_conversation_id",
        "ix_behaviour_events_occurred_at",
        "ix_behaviour_events_product_type",
        "ix_behaviour_events_customer_time",
        "ix_behaviour_events_session_time",
    ):
        op.drop_index(name, table_name="behaviour_events")
    op.drop_table("behaviour_events")
