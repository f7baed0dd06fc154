"""conferences: who owns the ballot, the chair or the planning process that created it

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 18:00:00.000000

A conference created by a planning process takes its positions and candidates
from the process: its list is changed there, never on the conference. The
conference now says so itself (``ballot_owner``), instead of the conferences
code asking the planning tables. Every conference a process step already
links to is marked as the process's.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

CHECK = "ballot_owner IN ('chair', 'process')"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # A column CHECK in ADD COLUMN: SQLite adds it in place. Rebuilding the table
        # (batch) would drop it, and with foreign keys on that deletes every row
        # that cascades from a conference.
        op.execute(
            "ALTER TABLE conferences ADD COLUMN ballot_owner VARCHAR(16) DEFAULT 'chair' "
            f"NOT NULL CONSTRAINT ck_conferences_ballot_owner CHECK ({CHECK})"
        )
    else:
        op.add_column(
            "conferences",
            sa.Column("ballot_owner", sa.String(length=16), nullable=False, server_default="chair"),
        )
        op.create_check_constraint("ck_conferences_ballot_owner", "conferences", CHECK)
    conferences = sa.table(
        "conferences", sa.column("id", sa.Integer()), sa.column("ballot_owner", sa.String())
    )
    steps = sa.table("process_steps", sa.column("conference_id", sa.Integer()))
    op.execute(
        conferences.update()
        .where(
            conferences.c.id.in_(
                sa.select(steps.c.conference_id).where(steps.c.conference_id.is_not(None))
            )
        )
        .values(ballot_owner="process")
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # In place too: the CHECK belongs to the column, so SQLite drops both.
        op.execute("ALTER TABLE conferences DROP COLUMN ballot_owner")
    else:
        op.drop_constraint("ck_conferences_ballot_owner", "conferences", type_="check")
        op.drop_column("conferences", "ballot_owner")
