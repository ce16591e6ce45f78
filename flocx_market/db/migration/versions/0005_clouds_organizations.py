"""Clouds and organizations: the exchange between clouds

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

TIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql')

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'clouds',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('name', sa.String(63), nullable=False, unique=True),
        sa.Column('description', sa.String(255), nullable=True),
        sa.Column('keystone_url', sa.String(255), nullable=False),
        sa.Column('site', sa.String(255), nullable=True),
        sa.Column('endpoints', sa.JSON, nullable=False),
        sa.Column('created_at', TIME, nullable=False),
        sa.Column('updated_at', TIME, nullable=False),
    )
    op.create_table(
        'organizations',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('uuid', sa.String(36), nullable=False, unique=True),
        sa.Column('name', sa.String(255), nullable=False, unique=True),
        sa.Column('description', sa.String(255), nullable=True),
        sa.Column('created_at', TIME, nullable=False),
        sa.Column('updated_at', TIME, nullable=False),
    )
    op.create_table(
        'organization_projects',
        sa.Column('id', sa.Integer, primary_key=True),
        sa.Column('organization_id', sa.Integer,
                  sa.ForeignKey('organizations.id', ondelete='CASCADE'),
                  nullable=False, index=True),
        sa.Column('cloud', sa.String(63), sa.ForeignKey('clouds.name'),
                  nullable=False),
        sa.Column('project_id', sa.String(64), nullable=False),
        sa.Column('created_at', TIME, nullable=False),
        sa.UniqueConstraint('cloud', 'project_id',
                            name='organization_projects_uniq'),
    )
