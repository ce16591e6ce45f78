"""Initial schema

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('fulfilments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_uuid', sa.String(length=36), nullable=True),
    sa.Column('lease_uuid', sa.String(length=36), nullable=True),
    sa.Column('node_uuid', sa.String(length=36), nullable=False),
    sa.Column('owner_project_id', sa.String(length=64), nullable=False),
    sa.Column('lessee_project_id', sa.String(length=64), nullable=False),
    sa.Column('start_time', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('end_time', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=True),
    sa.Column('lent_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=True),
    sa.Column('reclaimed_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=True),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contract_uuid', 'node_uuid', name='fulfilments_contract_node'),
    sa.UniqueConstraint('lease_uuid', 'node_uuid', name='fulfilments_lease_node')
    )
    with op.batch_alter_table('fulfilments', schema=None) as batch_op:
        batch_op.create_index('fulfilments_state_idx', ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_fulfilments_node_uuid'), ['node_uuid'], unique=False)

    op.create_table('leases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('lessee_project_id', sa.String(length=64), nullable=False),
    sa.Column('node_uuid', sa.String(length=36), nullable=False),
    sa.Column('start_time', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('end_time', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.CheckConstraint('end_time > start_time', name='leases_window'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('leases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leases_lessee_project_id'), ['lessee_project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leases_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_leases_status'), ['status'], unique=False)
        batch_op.create_index('leases_node_time_idx', ['node_uuid', 'start_time'], unique=False)

    op.create_table('nodes',
    sa.Column('node_uuid', sa.String(length=36), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('node_uuid')
    )
    op.create_table('offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('node_uuid', sa.String(length=36), nullable=False),
    sa.Column('market_offer_uuid', sa.String(length=36), nullable=True),
    sa.Column('resource_class', sa.String(length=255), nullable=False),
    sa.Column('properties', sa.JSON(), nullable=False),
    sa.Column('start_time', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('end_time', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('price', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.CheckConstraint('end_time > start_time', name='offers_window'),
    sa.CheckConstraint('price >= 0', name='offers_price'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('market_offer_uuid'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_project_id'), ['project_id'], unique=False)
        batch_op.create_index('offers_node_time_idx', ['node_uuid', 'start_time'], unique=False)
