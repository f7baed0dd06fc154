"""paper entry finished: the committee declares the paper ballots still out unreturned

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:00:00.000000

Without it a closed conference whose paper ballot never came back could not show its
result (withheld while paper is outstanding), so a tie on the last seat could be
neither seen nor decided, and the result never locked.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paper_finished_dt", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        batch_op.drop_column("paper_finished_dt")
