"""kiosk slips belong to the first phone that opens them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 10:00:00.000000

The kiosk showed one QR until that slip was used, so two phones could scan it and the
second lost its vote. A kiosk slip is now bound, when first opened, to that phone (an
HMAC of a random secret kept in the phone's cookie; no time, no order), and a second
phone's attempt is flagged so the chair can count it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    # ADD COLUMN in place: the table stays WITHOUT ROWID (no insertion order is kept).
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holder_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("contested", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    # DROP COLUMN in place too (SQLite >= 3.35): a batch rebuild would lose WITHOUT ROWID.
    for column in ("contested", "holder_hash"):
        op.execute(f"ALTER TABLE tokens DROP COLUMN {column}")
