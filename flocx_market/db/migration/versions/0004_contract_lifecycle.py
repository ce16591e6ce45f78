"""A contract's whole life and its money: returns, revocations, extensions,
cleaning gaps, delivery times, warnings and the charges ledger

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')
MONEY = sa.Numeric(precision=20, scale=6)


def upgrade():
    with op.batch_alter_table('offers') as batch_op:
        # Seconds never sold after each rental on this offer's node; NULL:
        # the operator's [market] cleaning_gap.
        batch_op.add_column(sa.Column('cleaning_gap', sa.Integer(),
                                      nullable=True))

    with op.batch_alter_table('contracts') as batch_op:
        batch_op.add_column(sa.Column('fees', MONEY, nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('warned_at', TIME, nullable=True))

    with op.batch_alter_table('contract_nodes') as batch_op:
        # The node is not sold again before booked_until: the rental's end
        # plus the cleaning gap.
        batch_op.add_column(sa.Column('booked_until', TIME, nullable=True))
        # When and why the node's rental ended before its planned end:
        # returned (renter), revoked (owner or admin), failed (provider).
        batch_op.add_column(sa.Column('ended_at', TIME, nullable=True))
        batch_op.add_column(sa.Column('end_kind', sa.String(16),
                                      nullable=True))
        batch_op.add_column(sa.Column('end_reason', sa.String(255),
                                      nullable=True))
        # What the provider reports it did on Ironic: what is billed.
        batch_op.add_column(sa.Column('lent_at', TIME, nullable=True))
        batch_op.add_column(sa.Column('reclaimed_at', TIME, nullable=True))
    op.execute('UPDATE contract_nodes SET booked_until = end_time')
    with op.batch_alter_table('contracts') as batch_op:
        # The default only filled the rows already there.
        batch_op.alter_column('fees', existing_type=MONEY,
                              existing_nullable=False, server_default=None)
    with op.batch_alter_table('contract_nodes') as batch_op:
        batch_op.alter_column('booked_until', existing_type=TIME,
                              nullable=False)

    if op.get_context().dialect.name == 'postgresql':
        # The double-booking guard now covers the cleaning gap too.
        op.execute('ALTER TABLE contract_nodes DROP CONSTRAINT '
                   'contract_nodes_no_overlap')
        op.execute(
            'ALTER TABLE contract_nodes ADD CONSTRAINT '
            'contract_nodes_no_overlap EXCLUDE USING gist '
            '(resource_uuid WITH =, tsrange(start_time, booked_until) '
            'WITH &&) WHERE (NOT released)')

    op.create_table(
        'charges',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contract_uuid', sa.String(36), nullable=False),
        # NULL for the operator.
        sa.Column('project_id', sa.String(64), nullable=True),
        sa.Column('party', sa.String(16), nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('amount', MONEY, nullable=False),
        sa.Column('node_hours', MONEY, nullable=False),
        sa.Column('reason', sa.String(255), nullable=True),
        sa.Column('created_at', TIME, nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('charges_project_time_idx', 'charges',
                    ['project_id', 'created_at'])
    op.create_index('charges_time_idx', 'charges', ['created_at'])
    op.create_index('charges_contract_idx', 'charges', ['contract_uuid'])
