"""A renter's credential for its nodes' cloud

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'contract_access',
        sa.Column('contract_id', sa.Integer,
                  sa.ForeignKey('contracts.id', ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('access', sa.JSON, nullable=False),
        sa.Column('created_at',
                  sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'),
                  nullable=False),
    )
