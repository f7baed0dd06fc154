"""paper ballots and the booth

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 23:40:02.442307

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _tokens(states: str) -> sa.Table:
    """The tokens table as it must be rebuilt (SQLite cannot alter a CHECK in place)."""
    return sa.Table(
        "tokens",
        sa.MetaData(),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.CheckConstraint(f"state IN ({states})", name="ck_tokens_state"),
        sa.ForeignKeyConstraint(["conference_id"], ["conferences.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code_hash"),
        sa.UniqueConstraint("secret_hash"),
        sa.Index("ix_tokens_conference_id", "conference_id"),
        # Still no rowid: the rebuilt table must keep no insertion order either.
        sqlite_with_rowid=False,
    )


def _set_token_states(states: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "tokens", recreate="always", copy_from=_tokens(states)
        ) as batch_op:
            batch_op.drop_constraint("ck_tokens_state", type_="check")
            batch_op.create_check_constraint("ck_tokens_state", f"state IN ({states})")
    else:
        op.drop_constraint("ck_tokens_state", "tokens", type_="check")
        op.create_check_constraint("ck_tokens_state", "tokens", f"state IN ({states})")


def upgrade():
    op.create_table(
        "paper_entries",
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("choices", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["conference_id"], ["conferences.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("conference_id"),
    )
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        for column in ("paper_issued", "paper_entered", "booth_cast"):
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=False, server_default="0"))
    _set_token_states("'issued', 'paper', 'used', 'void'")


def downgrade():
    _set_token_states("'issued', 'used', 'void'")
    with op.batch_alter_table("conferences", schema=None) as batch_op:
        batch_op.drop_column("booth_cast")
        batch_op.drop_column("paper_entered")
        batch_op.drop_column("paper_issued")
    op.drop_table("paper_entries")
