"""keyed audit chain and state transitions: the entry format's version

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    # Every entry already written is plain SHA-256 (format 1); new ones are keyed (2).
    with op.batch_alter_table("audit_entries") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade():
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_column("version")
