"""counting committee members prove who they are

Each committee member gets a one-time PIN (kept only as an HMAC) to enter paper
ballots, a flag once they have entered one (the counting minutes name them), and
the chair's recorded reason for keeping a member the open-time checks flagged.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("committee_pin_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("entered_paper", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("committee_note", sa.String(length=300), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("committee_note")
        batch_op.drop_column("entered_paper")
        batch_op.drop_column("committee_pin_hash")
