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
    op.create_table('bids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('resource_class', sa.String(length=255), nullable=True),
    sa.Column('constraints', sa.JSON(), nullable=False),
    sa.Column('start_time', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('latest_start_time', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('duration', sa.BigInteger(), nullable=False),
    sa.Column('price', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('decide_by', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.CheckConstraint('duration >= 1', name='bids_duration'),
    sa.CheckConstraint('latest_start_time >= start_time', name='bids_start_range'),
    sa.CheckConstraint('price >= 0', name='bids_price'),
    sa.CheckConstraint('quantity >= 1', name='bids_quantity'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('bids', schema=None) as batch_op:
        batch_op.create_index('bids_status_start_idx', ['status', 'start_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_bids_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bids_resource_class'), ['resource_class'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=16), nullable=False),
    sa.Column('object_uuid', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('events_project_time_idx', ['project_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_object_uuid'), ['object_uuid'], unique=False)

    op.create_table('offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('provider', sa.String(length=255), nullable=True),
    sa.Column('resource_type', sa.String(length=32), nullable=False),
    sa.Column('resource_uuid', sa.String(length=36), nullable=False),
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
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_resource_class'), ['resource_class'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_resource_uuid'), ['resource_uuid'], unique=False)
        batch_op.create_index('offers_status_start_idx', ['status', 'start_time'], unique=False)

    op.create_table('resources',
    sa.Column('resource_uuid', sa.String(length=36), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('resource_uuid')
    )
    op.create_table('contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('bid_uuid', sa.String(length=36), nullable=False),
    sa.Column('project_id', sa.String(length=64), nullable=False),
    sa.Column('round_id', sa.String(length=64), nullable=True),
    sa.Column('start_time', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('end_time', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('price', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('cost', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('updated_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.ForeignKeyConstraint(['bid_uuid'], ['bids.uuid'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('bid_uuid'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contracts_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contracts_status'), ['status'], unique=False)

    op.create_table('contract_nodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('resource_uuid', sa.String(length=36), nullable=False),
    sa.Column('owner_project_id', sa.String(length=64), nullable=False),
    sa.Column('start_time', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('end_time', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=False),
    sa.Column('price', sa.Numeric(precision=20, scale=6), nullable=False),
    sa.Column('released', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], ),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('contract_id', 'offer_id', name='contract_nodes_offer_once')
    )
    with op.batch_alter_table('contract_nodes', schema=None) as batch_op:
        batch_op.create_index('contract_nodes_resource_time_idx', ['resource_uuid', 'start_time'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_nodes_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_nodes_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contract_nodes_owner_project_id'), ['owner_project_id'], unique=False)

    if op.get_context().dialect.name == 'postgresql':
        # Belt and braces for the resource lock that every booking takes:
        # PostgreSQL itself refuses two live bookings of one node whose
        # times overlap.
        op.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')
        op.execute(
            'ALTER TABLE contract_nodes ADD CONSTRAINT '
            'contract_nodes_no_overlap EXCLUDE USING gist '
            '(resource_uuid WITH =, tsrange(start_time, end_time) WITH &&) '
            'WHERE (NOT released)')
