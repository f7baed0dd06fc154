"""live tally held back by k ballots (placeholder until filled)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:30:00.000000
"""

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
