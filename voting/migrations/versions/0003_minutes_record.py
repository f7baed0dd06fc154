"""the secretary's fields of the minutes and the notes after lock

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agenda", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("remarks", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("ended_at", sa.String(length=5), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("copies", sa.Integer(), nullable=True))
    op.create_table(
        "minutes_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("written_dt", sa.DateTime(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["conference_id"], ["conferences.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("minutes_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_minutes_notes_conference_id"), ["conference_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("minutes_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_minutes_notes_conference_id"))
    op.drop_table("minutes_notes")
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        batch_op.drop_column("copies")
        batch_op.drop_column("ended_at")
        batch_op.drop_column("remarks")
        batch_op.drop_column("agenda")
