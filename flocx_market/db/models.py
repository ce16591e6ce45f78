"""The market's tables. Queries live in db/api.py; schema changes in alembic."""

import sqlalchemy as sa
from sqlalchemy import orm

from flocx_common.db import Money, PROJECT, Time, Timestamps, UUID


class Base(orm.DeclarativeBase):
    pass


class Offer(Base, Timestamps):
    __tablename__ = 'offers'
    __table_args__ = (
        sa.Index('offers_status_start_idx', 'status', 'start_time'),
        # Lists are pages in (created_at, id) order by default.
        sa.Index('offers_created_idx', 'created_at', 'id'),
        sa.CheckConstraint('end_time > start_time', name='offers_window'),
        sa.CheckConstraint('price >= 0', name='offers_price'),
    )
    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(UUID, nullable=False, unique=True)
    project_id = sa.Column(PROJECT, nullable=False, index=True)
    provider = sa.Column(sa.String(255), nullable=True)
    resource_type = sa.Column(sa.String(32), nullable=False)
    resource_uuid = sa.Column(UUID, nullable=False, index=True)
    resource_class = sa.Column(sa.String(255), nullable=False, index=True)
    properties = sa.Column(sa.JSON, nullable=False)
    start_time = sa.Column(Time, nullable=False)
    end_time = sa.Column(Time, nullable=False)
    price = sa.Column(Money, nullable=False)
    status = sa.Column(sa.String(16), nullable=False)
    status_reason = sa.Column(sa.String(255), nullable=True)


class Bid(Base, Timestamps):
    __tablename__ = 'bids'
    __table_args__ = (
        sa.Index('bids_status_start_idx', 'status', 'start_time'),
        sa.Index('bids_created_idx', 'created_at', 'id'),
        sa.CheckConstraint('latest_start_time >= start_time',
                           name='bids_start_range'),
        sa.CheckConstraint('quantity >= 1', name='bids_quantity'),
        sa.CheckConstraint('duration >= 1', name='bids_duration'),
        sa.CheckConstraint('price >= 0', name='bids_price'),
    )
    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(UUID, nullable=False, unique=True)
    project_id = sa.Column(PROJECT, nullable=False, index=True)
    quantity = sa.Column(sa.Integer, nullable=False)
    resource_class = sa.Column(sa.String(255), nullable=True, index=True)
    constraints = sa.Column(sa.JSON, nullable=False)
    start_time = sa.Column(Time, nullable=False)
    latest_start_time = sa.Column(Time, nullable=False)
    duration = sa.Column(sa.BigInteger, nullable=False)
    price = sa.Column(Money, nullable=False)
    decide_by = sa.Column(Time, nullable=True)
    status = sa.Column(sa.String(16), nullable=False)
    status_reason = sa.Column(sa.String(255), nullable=True)


class Contract(Base, Timestamps):
    __tablename__ = 'contracts'
    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(UUID, nullable=False, unique=True)
    # One contract per bid: the database refuses a second one.
    bid_uuid = sa.Column(UUID, sa.ForeignKey('bids.uuid'), nullable=False,
                         unique=True)
    project_id = sa.Column(PROJECT, nullable=False, index=True)
    round_id = sa.Column(sa.String(64), nullable=True)
    start_time = sa.Column(Time, nullable=False)
    end_time = sa.Column(Time, nullable=False)
    price = sa.Column(Money, nullable=False)
    cost = sa.Column(Money, nullable=False)
    status = sa.Column(sa.String(16), nullable=False, index=True)
    status_reason = sa.Column(sa.String(255), nullable=True)


class ContractNode(Base):
    """One node of a contract: which offer, which node, for when.

    ``released`` is set when the contract is cancelled or fails before it
    ends, giving the node-time back. On PostgreSQL an exclusion constraint
    also refuses two unreleased rows of one node whose times overlap.
    """
    __tablename__ = 'contract_nodes'
    __table_args__ = (
        sa.UniqueConstraint('contract_id', 'offer_id',
                            name='contract_nodes_offer_once'),
        sa.Index('contract_nodes_resource_time_idx', 'resource_uuid',
                 'start_time'),
    )
    id = sa.Column(sa.Integer, primary_key=True)
    contract_id = sa.Column(sa.Integer, sa.ForeignKey('contracts.id'),
                            nullable=False, index=True)
    offer_id = sa.Column(sa.Integer, sa.ForeignKey('offers.id'),
                         nullable=False, index=True)
    resource_uuid = sa.Column(UUID, nullable=False)
    owner_project_id = sa.Column(PROJECT, nullable=False, index=True)
    start_time = sa.Column(Time, nullable=False)
    end_time = sa.Column(Time, nullable=False)
    price = sa.Column(Money, nullable=False)
    released = sa.Column(sa.Boolean, nullable=False, default=False)


class Resource(Base):
    """One row per node: the lock every change to its bookings takes first.

    Taking it with an UPDATE serializes writers across API workers and
    hosts on PostgreSQL and MariaDB (row lock) and SQLite (database lock).
    """
    __tablename__ = 'resources'
    resource_uuid = sa.Column(UUID, primary_key=True)
    generation = sa.Column(sa.Integer, nullable=False, default=0)


class Event(Base):
    """What happened to an order or contract, as its parties may read it."""
    __tablename__ = 'events'
    __table_args__ = (
        sa.Index('events_project_time_idx', 'project_id', 'created_at'),
    )
    id = sa.Column(sa.Integer, primary_key=True)
    project_id = sa.Column(PROJECT, nullable=False)
    object_type = sa.Column(sa.String(16), nullable=False)
    object_uuid = sa.Column(UUID, nullable=False, index=True)
    event_type = sa.Column(sa.String(64), nullable=False)
    detail = sa.Column(sa.JSON, nullable=False)
    created_at = sa.Column(Time, nullable=False)


offers = Offer.__table__
bids = Bid.__table__
contracts = Contract.__table__
contract_nodes = ContractNode.__table__
resources = Resource.__table__
events = Event.__table__


class Round(Base):
    """A clearing round the auction engine ran: the history behind
    ``/v1/rounds`` and ``/v1/prices`` of the auction API. Kept by the market
    so that every engine (and a restarted one) sees the same history."""
    __tablename__ = 'rounds'
    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(UUID, nullable=False, unique=True)
    host = sa.Column(sa.String(255), nullable=False)
    mechanism = sa.Column(sa.String(64), nullable=False)
    started_at = sa.Column(Time, nullable=False, index=True)
    finished_at = sa.Column(Time, nullable=False)
    offers_in = sa.Column(sa.Integer, nullable=False)
    bids_in = sa.Column(sa.Integer, nullable=False)
    contract_uuids = sa.Column(sa.JSON, nullable=False)
    refused = sa.Column(sa.JSON, nullable=False)
    rejected = sa.Column(sa.JSON, nullable=False)
    welfare = sa.Column(sa.Float, nullable=False)
    clearing_prices = sa.Column(sa.JSON, nullable=False)
    duration_ms = sa.Column(sa.Float, nullable=False)
    stats = sa.Column(sa.JSON, nullable=False)


rounds = Round.__table__
