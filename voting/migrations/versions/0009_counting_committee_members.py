"""counting committee members prove who they are (placeholder until filled)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:30:00.000000
"""

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
