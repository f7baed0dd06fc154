"""live tally held back by k ballots: the published set S as a flag on each ballot

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:30:00.000000

Per-candidate live figures are the tally over a set S of ballots
(voting.realtime.visibility). Ballots of conferences already closed or locked
are all flagged alike. For a conference open during the upgrade the set starts
empty again (its old watermark counted ballots no flag names), so its figures
are hidden until the next publication.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("published", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    conferences = sa.table(
        "conferences",
        sa.column("id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("published_received", sa.Integer()),
    )
    ballots = sa.table(
        "ballots", sa.column("conference_id", sa.Integer()), sa.column("published", sa.Boolean())
    )
    candidates = sa.table(
        "candidates",
        sa.column("position_id", sa.Integer()),
        sa.column("published_agree", sa.Integer()),
    )
    positions = sa.table(
        "positions", sa.column("id", sa.Integer()), sa.column("conference_id", sa.Integer())
    )
    settled = sa.select(conferences.c.id).where(conferences.c.status.in_(("closed", "locked")))
    op.execute(ballots.update().where(ballots.c.conference_id.in_(settled)).values(published=True))
    still_open = sa.select(conferences.c.id).where(conferences.c.status == "open")
    op.execute(
        conferences.update().where(conferences.c.status == "open").values(published_received=0)
    )
    op.execute(
        candidates.update()
        .where(
            candidates.c.position_id.in_(
                sa.select(positions.c.id).where(positions.c.conference_id.in_(still_open))
            )
        )
        .values(published_agree=0)
    )


def downgrade():
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_column("published")
