"""Indexes for lists in their default order

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    # Pages are read in (created_at, id) order: without these a page sorted
    # every visible row first.
    op.create_index('offers_created_idx', 'offers', ['created_at', 'id'])
    op.create_index('bids_created_idx', 'bids', ['created_at', 'id'])
