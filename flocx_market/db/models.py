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
    # The cloud whose Ironic has the node (and whose provider vouched).
    cloud = sa.Column(sa.String(63), nullable=False)
    resource_type = sa.Column(sa.String(32), nullable=False)
    resource_uuid = sa.Column(UUID, nullable=False, index=True)
    resource_class = sa.Column(sa.String(255), nullable=False, index=True)
    properties = sa.Column(sa.JSON, nullable=False)
    start_time = sa.Column(Time, nullable=False)
    end_time = sa.Column(Time, nullable=False)
    price = sa.Column(Money, nullable=False)
    status = sa.Column(sa.String(16), nullable=False)
    status_reason = sa.Column(sa.String(255), nullable=True)
    # Seconds never sold after each rental; NULL: [market] cleaning_gap.
    cleaning_gap = sa.Column(sa.Integer, nullable=True)


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
    # False: all of a multi-node bid's nodes in one cloud (microversion 1.2).
    span_clouds = sa.Column(sa.Boolean, nullable=False, default=False,
                            server_default=sa.false())


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
    # Early-return fees the renter owes the operator (see settlement.py).
    fees = sa.Column(Money, nullable=False, default=0)
    # When both parties were warned of the coming end.
    warned_at = sa.Column(Time, nullable=True)


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
    # Not sold again before this: end_time plus the cleaning gap. The
    # exclusion constraint (PostgreSQL) covers [start_time, booked_until).
    booked_until = sa.Column(Time, nullable=False)
    # An end before the planned one: returned, revoked or failed, and why.
    ended_at = sa.Column(Time, nullable=True)
    end_kind = sa.Column(sa.String(16), nullable=True)
    end_reason = sa.Column(sa.String(255), nullable=True)
    # What the provider did on Ironic (lessee set, then unset): billed time.
    lent_at = sa.Column(Time, nullable=True)
    reclaimed_at = sa.Column(Time, nullable=True)


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


class Charge(Base):
    """One line of the ledger: a change to what a party pays or earns.

    Amounts are signed: a renter's refund or an owner's reversed earning
    is negative. Every settlement writes the renter's, each owner's and
    the operator's lines in one transaction, so over any period renters'
    payments equal owners' earnings plus the operator's surplus and fees.
    """
    __tablename__ = 'charges'
    __table_args__ = (
        sa.Index('charges_project_time_idx', 'project_id', 'created_at'),
        sa.Index('charges_time_idx', 'created_at'),
        sa.Index('charges_contract_idx', 'contract_uuid'),
    )
    id = sa.Column(sa.Integer, primary_key=True)
    contract_uuid = sa.Column(UUID, nullable=False)
    project_id = sa.Column(PROJECT, nullable=True)  # NULL: the operator
    party = sa.Column(sa.String(16), nullable=False)  # renter/owner/operator
    kind = sa.Column(sa.String(16), nullable=False)  # rent/earning/fee/surplus
    amount = sa.Column(Money, nullable=False)
    node_hours = sa.Column(Money, nullable=False)
    reason = sa.Column(sa.String(255), nullable=True)
    created_at = sa.Column(Time, nullable=False)


charges = Charge.__table__


class Cloud(Base, Timestamps):
    """An OpenStack cloud on the exchange: its own Keystone, Ironic, provider.

    The market's own cloud is registered like the others. Secrets are not
    here: the market's validation-only user in a member cloud lives in the
    market's configuration (``[cloud:NAME]``).
    """
    __tablename__ = 'clouds'
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(63), nullable=False, unique=True)
    description = sa.Column(sa.String(255), nullable=True)
    keystone_url = sa.Column(sa.String(255), nullable=False)
    site = sa.Column(sa.String(255), nullable=True)
    # {service_type: public URL}: what a renter needs to reach its nodes.
    endpoints = sa.Column(sa.JSON, nullable=False)


class Organization(Base, Timestamps):
    """A party on the market, whichever clouds it has projects in."""
    __tablename__ = 'organizations'
    id = sa.Column(sa.Integer, primary_key=True)
    uuid = sa.Column(UUID, nullable=False, unique=True)
    name = sa.Column(sa.String(255), nullable=False, unique=True)
    description = sa.Column(sa.String(255), nullable=True)


class OrganizationProject(Base):
    """A project of one cloud that takes part as an organization.

    Project ids are only unique within their cloud, so a project is always
    named with its cloud; a project belongs to at most one organization.
    """
    __tablename__ = 'organization_projects'
    __table_args__ = (
        sa.UniqueConstraint('cloud', 'project_id',
                            name='organization_projects_uniq'),
    )
    id = sa.Column(sa.Integer, primary_key=True)
    organization_id = sa.Column(
        sa.Integer, sa.ForeignKey('organizations.id', ondelete='CASCADE'),
        nullable=False, index=True)
    cloud = sa.Column(sa.String(63), sa.ForeignKey('clouds.name'),
                      nullable=False)
    project_id = sa.Column(PROJECT, nullable=False)
    created_at = sa.Column(Time, nullable=False)


clouds = Cloud.__table__
organizations = Organization.__table__
organization_projects = OrganizationProject.__table__


class ContractAccess(Base):
    """How a renter of another cloud reaches its nodes: a credential of the
    nodes' cloud, made by that cloud's provider, shown to the renter alone
    and deleted when the contract is over."""
    __tablename__ = 'contract_access'
    contract_id = sa.Column(
        sa.Integer, sa.ForeignKey('contracts.id', ondelete='CASCADE'),
        primary_key=True)
    access = sa.Column(sa.JSON, nullable=False)
    created_at = sa.Column(Time, nullable=False)


contract_access = ContractAccess.__table__
