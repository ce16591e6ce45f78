"""The provider's tables. Queries live in db/api.py, migrations in alembic."""

import sqlalchemy as sa
from sqlalchemy import orm

from flocx_common.db import Money, PROJECT, Time, Timestamps, UUID


class Base(orm.DeclarativeBase):
    pass


class Offer(Base, Timestamps):
    """A node its owner put on the market through this provider."""
    __tablename__ = 'offers'
    __table_args__ = (
        sa.Index('offers_node_time_idx', 'node_uuid', 'start_time'),
        sa.CheckConstraint('end_time > start_time', name='offers_window'),
        sa.CheckConstraint('price >= 0', name='offers_price'),
    )
    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(UUID, nullable=False, unique=True)
    project_id = sa.Column(PROJECT, nullable=False, index=True)
    node_uuid = sa.Column(UUID, nullable=False)
    # Set once the market accepted the offer.
    market_offer_uuid = sa.Column(UUID, nullable=True, unique=True)
    resource_class = sa.Column(sa.String(255), nullable=False)
    properties = sa.Column(sa.JSON, nullable=False)
    start_time = sa.Column(Time, nullable=False)
    end_time = sa.Column(Time, nullable=False)
    price = sa.Column(Money, nullable=False)
    status = sa.Column(sa.String(16), nullable=False)
    status_reason = sa.Column(sa.String(255), nullable=True)


class Lease(Base, Timestamps):
    """A node lent by its owner project to one of its child projects."""
    __tablename__ = 'leases'
    __table_args__ = (
        sa.Index('leases_node_time_idx', 'node_uuid', 'start_time'),
        sa.CheckConstraint('end_time > start_time', name='leases_window'),
    )
    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(UUID, nullable=False, unique=True)
    project_id = sa.Column(PROJECT, nullable=False, index=True)
    lessee_project_id = sa.Column(PROJECT, nullable=False, index=True)
    node_uuid = sa.Column(UUID, nullable=False)
    start_time = sa.Column(Time, nullable=False)
    end_time = sa.Column(Time, nullable=False)
    status = sa.Column(sa.String(16), nullable=False, index=True)
    status_reason = sa.Column(sa.String(255), nullable=True)


class Fulfilment(Base, Timestamps):
    """The provider's memory of one node of a contract or lease.

    The market (for contracts) and the leases table say what should happen;
    this row says how far the provider got, so that a restarted manager
    resumes instead of starting over.
    """
    __tablename__ = 'fulfilments'
    __table_args__ = (
        sa.UniqueConstraint('contract_uuid', 'node_uuid',
                            name='fulfilments_contract_node'),
        sa.UniqueConstraint('lease_uuid', 'node_uuid',
                            name='fulfilments_lease_node'),
        sa.Index('fulfilments_state_idx', 'state'),
    )
    id = sa.Column(sa.Integer, primary_key=True)
    # Exactly one of the two is set.
    contract_uuid = sa.Column(UUID, nullable=True)
    lease_uuid = sa.Column(UUID, nullable=True)
    node_uuid = sa.Column(UUID, nullable=False, index=True)
    owner_project_id = sa.Column(PROJECT, nullable=False)
    lessee_project_id = sa.Column(PROJECT, nullable=False)
    start_time = sa.Column(Time, nullable=False)
    end_time = sa.Column(Time, nullable=False)
    # pending -> lent -> reclaimed; pending -> failed | cancelled.
    state = sa.Column(sa.String(16), nullable=False)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    last_error = sa.Column(sa.Text, nullable=True)
    next_attempt_at = sa.Column(Time, nullable=True)
    # When the lessee was set and removed: how precisely times are honoured.
    lent_at = sa.Column(Time, nullable=True)
    reclaimed_at = sa.Column(Time, nullable=True)
    # The last delivery time the market acknowledged: None, 'lent' or
    # 'reclaimed' (contracts only; the market bills from these times).
    reported = sa.Column(sa.String(16), nullable=True)


class Node(Base):
    """One row per node: the lock every change to its schedule takes first.

    Taking it with an UPDATE serializes writers across API workers (row
    lock on PostgreSQL and MariaDB, database lock on SQLite).
    """
    __tablename__ = 'nodes'
    node_uuid = sa.Column(UUID, primary_key=True)
    generation = sa.Column(sa.Integer, nullable=False, default=0)


offers = Offer.__table__
leases = Lease.__table__
fulfilments = Fulfilment.__table__
nodes = Node.__table__
