"""Bids say whether their nodes may be in several clouds

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Every bid so far wanted one cloud (or did not care: there was one).
    with op.batch_alter_table('bids') as batch:
        batch.add_column(sa.Column('span_clouds', sa.Boolean, nullable=False,
                                   server_default=sa.false()))
