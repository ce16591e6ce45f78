"""Every query the provider makes, in one place.

Rows come back as plain dicts ready for JSON (see ``serialize``). The
promise the provider keeps here: a node is never on offer and lent
internally, or on offer twice, for overlapping times. Every change to a
node's schedule takes the node's lock row in ``nodes`` first.
"""

import uuid as uuidlib

from oslo_utils import timeutils
import sqlalchemy as sa

from flocx_common.api import errors
from flocx_common import db
from flocx_provider.db import models

OFFER_STATUSES = ('open', 'cancelled', 'expired')
LEASE_STATUSES = ('scheduled', 'active', 'completed', 'cancelled', 'failed')
LIVE_LEASE = ('scheduled', 'active')
# Fulfilment states; the first two still need the provider's attention.
OPEN_FULFILMENT = ('pending', 'lent')
SORT_KEYS = ('created_at', 'updated_at', 'start_time', 'end_time')

retry_on_race = db.retry_on_deadlock


class Connection(db.Connection):
    """The provider's queries."""


    # Offers

    @retry_on_race
    def create_offer(self, values):
        """Insert an open offer unless the node is offered or lent then."""
        now = timeutils.utcnow()
        row = dict(values, uuid=str(uuidlib.uuid4()), status='open',
                   created_at=now, updated_at=now)
        with self.writer() as session:
            _lock_node(session, row['node_uuid'])
            _refuse_overlap(session, row['node_uuid'], row['start_time'],
                            row['end_time'])
            session.execute(sa.insert(models.offers).values(row))
        return db.serialize(row)

    def get_offer(self, uuid):
        return self._get(models.offers, uuid)

    def list_offers(self, filters, visible_to, limit, marker, sort_key,
                    sort_dir):
        t = models.offers
        where = _common_filters(t, filters)
        if filters.get('node_uuid'):
            where.append(t.c.node_uuid == filters['node_uuid'])
        # Visibility also limits which rows may be a marker: another
        # project's uuid as a marker must answer like an unknown one.
        visible = [] if visible_to is None else [t.c.project_id == visible_to]
        return self._page(t, where, visible, limit, marker, sort_key,
                          sort_dir)

    def offers_by_market_uuid(self, market_uuids):
        """{market offer uuid: offer} for those that are this provider's."""
        if not market_uuids:
            return {}
        t = models.offers
        with self.reader() as session:
            rows = session.execute(sa.select(t).where(
                t.c.market_offer_uuid.in_(list(market_uuids)))).mappings()
            return {r['market_offer_uuid']: db.serialize(r) for r in rows}

    def update_offer(self, uuid, **values):
        values['updated_at'] = timeutils.utcnow()
        with self.writer() as session:
            session.execute(sa.update(models.offers).where(
                models.offers.c.uuid == uuid).values(**values))
        return self.get_offer(uuid)

    def delete_offer(self, uuid):
        """Forget an offer the market refused: it never existed."""
        with self.writer() as session:
            session.execute(sa.delete(models.offers).where(
                models.offers.c.uuid == uuid))

    # Leases

    @retry_on_race
    def create_lease(self, values):
        now = timeutils.utcnow()
        row = dict(values, uuid=str(uuidlib.uuid4()), status='scheduled',
                   created_at=now, updated_at=now)
        with self.writer() as session:
            _lock_node(session, row['node_uuid'])
            _refuse_overlap(session, row['node_uuid'], row['start_time'],
                            row['end_time'])
            session.execute(sa.insert(models.leases).values(row))
        return db.serialize(row)

    def get_lease(self, uuid):
        return self._get(models.leases, uuid)

    def list_leases(self, filters, visible_to, limit, marker, sort_key,
                    sort_dir):
        t = models.leases
        where = _common_filters(t, filters)
        if filters.get('node_uuid'):
            where.append(t.c.node_uuid == filters['node_uuid'])
        if filters.get('lessee_project_id'):
            where.append(t.c.lessee_project_id ==
                         filters['lessee_project_id'])
        visible = []
        if visible_to is not None:
            # The owner and the project the node is lent to.
            visible.append(sa.or_(t.c.project_id == visible_to,
                                  t.c.lessee_project_id == visible_to))
        return self._page(t, where, visible, limit, marker, sort_key,
                          sort_dir)

    def live_leases(self):
        t = models.leases
        with self.reader() as session:
            return [db.serialize(r) for r in session.execute(
                sa.select(t).where(t.c.status.in_(LIVE_LEASE))).mappings()]

    def set_lease_status(self, uuid, status, reason=None, only_from=None):
        """Move a lease along; returns it, or None if it was not in
        ``only_from`` (somebody else moved it first)."""
        t = models.leases
        where = [t.c.uuid == uuid]
        if only_from:
            where.append(t.c.status.in_(only_from))
        with self.writer() as session:
            changed = session.execute(sa.update(t).where(*where).values(
                status=status, status_reason=(reason or '')[:255] or None,
                updated_at=timeutils.utcnow()))
        return self.get_lease(uuid) if changed.rowcount else None

    # Fulfilment records

    def node_lent_by_us(self, node_uuid):
        t = models.fulfilments
        with self.reader() as session:
            return session.execute(sa.select(t.c.id).where(
                t.c.node_uuid == node_uuid, t.c.state == 'lent')).first() \
                is not None

    def ensure_fulfilment(self, values):
        """The record of one node of a contract or lease, made if new."""
        t = models.fulfilments
        key = ('contract_uuid' if values.get('contract_uuid')
               else 'lease_uuid')
        where = (t.c[key] == values[key],
                 t.c.node_uuid == values['node_uuid'])
        with self.writer() as session:
            row = session.execute(sa.select(t).where(*where)).mappings()\
                .first()
            if row is None:
                now = timeutils.utcnow()
                session.execute(sa.insert(t).values(
                    dict(values, state='pending', attempts=0,
                         created_at=now, updated_at=now)))
                row = session.execute(sa.select(t).where(*where))\
                    .mappings().first()
            return dict(row)

    def open_fulfilments(self):
        t = models.fulfilments
        with self.reader() as session:
            return [dict(r) for r in session.execute(
                sa.select(t).where(t.c.state.in_(OPEN_FULFILMENT))
                .order_by(t.c.start_time, t.c.id)).mappings()]

    def unreported_deliveries(self):
        """Contract records whose lend or reclaim the market has not
        acknowledged yet."""
        t = models.fulfilments
        with self.reader() as session:
            return [dict(r) for r in session.execute(
                sa.select(t).where(
                    t.c.contract_uuid.is_not(None),
                    sa.or_(sa.and_(t.c.lent_at.is_not(None),
                                   t.c.reported.is_(None)),
                           sa.and_(t.c.reclaimed_at.is_not(None),
                                   sa.or_(t.c.reported.is_(None),
                                          t.c.reported != 'reclaimed'))))
                .order_by(t.c.id)).mappings()]

    def fulfilments_of(self, contract_uuid=None, lease_uuid=None):
        t = models.fulfilments
        where = (t.c.contract_uuid == contract_uuid if contract_uuid
                 else t.c.lease_uuid == lease_uuid)
        with self.reader() as session:
            return [dict(r) for r in session.execute(
                sa.select(t).where(where).order_by(t.c.id)).mappings()]

    def update_fulfilment(self, record_id, **values):
        values['updated_at'] = timeutils.utcnow()
        t = models.fulfilments
        with self.writer() as session:
            session.execute(sa.update(t).where(t.c.id == record_id)
                            .values(**values))
            return dict(session.execute(sa.select(t).where(
                t.c.id == record_id)).mappings().first())

    # Shared

    def _get(self, table, uuid):
        with self.reader() as session:
            row = db.get_row(session, table, uuid)
        return db.serialize(row) if row else None

    def _page(self, table, where, visible, limit, marker, sort_key,
              sort_dir):
        with self.reader() as session:
            return db.select_page(session, table, where, visible, limit,
                                  marker, sort_key, sort_dir)


def _refuse_overlap(session, node_uuid, start, end):
    """409 if the node is on open offer or lent internally in [start, end)."""
    o, le = models.offers, models.leases
    offer = session.execute(sa.select(o.c.uuid).where(
        o.c.node_uuid == node_uuid, o.c.status == 'open',
        o.c.start_time < end, o.c.end_time > start)).first()
    if offer:
        raise errors.Conflict(
            f'Node {node_uuid} is already on offer for an overlapping window '
            f'(offer {offer.uuid}).', code='flocx.offer_overlaps')
    lease = session.execute(sa.select(le.c.uuid).where(
        le.c.node_uuid == node_uuid, le.c.status.in_(LIVE_LEASE),
        le.c.start_time < end, le.c.end_time > start)).first()
    if lease:
        raise errors.Conflict(
            f'Node {node_uuid} is lent internally for an overlapping window '
            f'(lease {lease.uuid}).', code='flocx.lease_overlaps')


def _lock_node(session, node_uuid):
    db.lock_row(session, models.nodes.c.node_uuid, node_uuid)


def _common_filters(table, filters):
    where = []
    if filters.get('status'):
        where.append(table.c.status == filters['status'])
    if filters.get('project_id'):
        where.append(table.c.project_id == filters['project_id'])
    for name, op in (('starts_after', '__ge__'),
                     ('starts_before', '__le__')):
        if filters.get(name):
            where.append(getattr(table.c.start_time, op)(filters[name]))
    for name, op in (('ends_after', '__ge__'), ('ends_before', '__le__')):
        if filters.get(name):
            where.append(getattr(table.c.end_time, op)(filters[name]))
    return where
