"""keyed audit chain and state transitions (placeholder until filled)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:30:00.000000
"""

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
