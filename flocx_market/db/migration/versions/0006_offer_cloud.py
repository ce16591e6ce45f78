"""Offers carry their cloud

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # Every offer so far came from the market's own cloud, named 'home'
    # unless [federation] cloud_name says otherwise (rename rows then).
    with op.batch_alter_table('offers') as batch:
        batch.add_column(sa.Column('cloud', sa.String(63), nullable=False,
                                   server_default='home'))
    # The default only fills the rows that exist; a new offer always names
    # its cloud (the model has no default), so the column keeps none.
    with op.batch_alter_table('offers') as batch:
        batch.alter_column('cloud', existing_type=sa.String(63),
                           existing_nullable=False, server_default=None)
