"""planning: a position ended with nobody planned; sex and birth month of external people

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 12:00:00.000000

When a vote carries nobody for a position, the chair may end that position with
nobody planned: the step, the date and the reason are kept on the position. People
from another agency have no register row, so their sex and birth month are kept on
the nominee and on the planning entry (structure figures, retirement check).
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("process_positions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_step", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("ended_reason", sa.String(length=500), nullable=False, server_default="")
        )
    for table in ("nominees", "planning_entries"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("birth_month", sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column("sex", sa.String(length=8), nullable=True))


def downgrade():
    for table in ("planning_entries", "nominees"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("sex")
            batch_op.drop_column("birth_month")
    with op.batch_alter_table("process_positions", schema=None) as batch_op:
        batch_op.drop_column("ended_reason")
        batch_op.drop_column("ended_on")
        batch_op.drop_column("ended_step")
