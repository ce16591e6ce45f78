"""What of a contract node's delivery the market has been told

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('fulfilments') as batch_op:
        # NULL, 'lent' or 'reclaimed': the last delivery time the market
        # acknowledged (it bills from the provider's lend and reclaim).
        batch_op.add_column(sa.Column('reported', sa.String(16),
                                      nullable=True))
