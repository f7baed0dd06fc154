"""scrub pending: a durable marker for the secrecy clean-up after close and lock

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 09:00:00.000000

Before this revision nothing recorded whether the clean-up below SQL
(voting.ballots.scrub) completed: a reader holding the database or a kill right
after the close left the traces silently. Every conference already closed or
locked is therefore marked, so the first ``voting serve`` after the upgrade
scrubs the storage once more and clears the marks.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scrub_pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    conferences = sa.table(
        "conferences", sa.column("status", sa.String()), sa.column("scrub_pending", sa.Boolean())
    )
    op.execute(
        conferences.update()
        .where(conferences.c.status.in_(("closed", "locked")))
        .values(scrub_pending=True)
    )


def downgrade():
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        batch_op.drop_column("scrub_pending")
