"""Rounds of the auction engine

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

Time = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')


def upgrade():
    op.create_table(
        'rounds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uuid', sa.String(length=36), nullable=False),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('mechanism', sa.String(length=64), nullable=False),
        sa.Column('started_at', Time, nullable=False),
        sa.Column('finished_at', Time, nullable=False),
        sa.Column('offers_in', sa.Integer(), nullable=False),
        sa.Column('bids_in', sa.Integer(), nullable=False),
        sa.Column('contract_uuids', sa.JSON(), nullable=False),
        sa.Column('refused', sa.JSON(), nullable=False),
        sa.Column('rejected', sa.JSON(), nullable=False),
        sa.Column('welfare', sa.Float(), nullable=False),
        sa.Column('clearing_prices', sa.JSON(), nullable=False),
        sa.Column('duration_ms', sa.Float(), nullable=False),
        sa.Column('stats', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uuid'),
    )
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rounds_started_at'),
                              ['started_at'], unique=False)
