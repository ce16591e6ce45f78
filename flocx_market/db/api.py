"""Every query the market makes, in one place.

Rows come back as plain dicts ready for JSON; times are naive UTC datetimes
inside and ISO 8601 strings outside (see ``serialize``). The invariants the
market promises (no node-hour sold twice, no order in two contracts, nothing
booked on a cancelled order) are enforced here inside one transaction per
change, with the per-node lock row in ``resources`` taken first.
"""

import contextlib
import datetime
import decimal
import threading
import uuid as uuidlib

from oslo_db import exception as db_exc
from oslo_utils import timeutils
import sqlalchemy as sa

from flocx_common.api import errors
from flocx_common import context
from flocx_common import db
from flocx_common import hardware
from flocx_market.db import lifecycle
from flocx_market.db import models

OFFER_STATUSES = ('open', 'cancelled', 'expired', 'withdrawn')
BID_STATUSES = ('open', 'contracted', 'cancelled', 'expired')
CONTRACT_STATUSES = ('scheduled', 'active', 'completed', 'cancelled',
                     'failed', 'revoked')
LIVE_CONTRACT = ('scheduled', 'active')
CONTRACT_TRANSITIONS = {
    'scheduled': {'active', 'cancelled', 'failed'},
    'active': {'completed', 'failed'},
}
DEFAULT_CLOUD = 'home'
SORT_KEYS = ('created_at', 'updated_at', 'start_time', 'end_time', 'price')
# How far in the past a contract may start when it reaches the market: the
# engine starts contracts "now", and the round trip takes a moment.
START_SLACK = datetime.timedelta(seconds=60)


class Refused(Exception):
    """A contract the market will not write; the message says why."""


retry_on_deadlock = db.retry_on_deadlock


class Connection(lifecycle.Lifecycle, db.Connection):
    """The market's queries."""

    def __init__(self, connection_url, **engine_options):
        # oslo.db's default sleep(0) at every connection checkin is for
        # eventlet; in the API's threads it only hands the CPU away, which
        # on a busy host costs milliseconds per request.
        engine_options.setdefault('thread_checkin', False)
        super().__init__(connection_url, **engine_options)
        self._write_lock = contextlib.nullcontext()
        if connection_url.startswith('sqlite:///') and \
                ':memory:' not in connection_url:
            self._use_wal()

    def _use_wal(self):
        """SQLite: pooled connections, the write-ahead log, writers queued.

        oslo.db replaces SQLAlchemy's pool with NullPool for SQLite files: a
        new connection, schema parse and all, for every transaction (a third
        of the CPU time of a GET), and the last one to close checkpointed
        and removed the log each time. One connection per thread instead
        (sqlite3 connections stay in their thread), with the pool's event
        listeners (oslo.db's BEGIN handling) carried over as SQLAlchemy's
        own Pool.recreate() does.

        SQLite has one writer at a time, and a writer that finds the
        database busy sleeps and polls (up to 100 ms a try): under load
        that made p99 latencies of more than a second. This process's
        writers queue on a lock instead; with the write-ahead log, readers
        neither block a commit nor wait for one.
        """
        engine = self.get_engine()
        nullpool = engine.pool
        # pool_size: past it, the pool closes some thread's connection,
        # in use or not; far above the API's 16 cheroot threads and the
        # manager's oslo.messaging executor (64 threads).
        engine.pool = sa.pool.SingletonThreadPool(
            nullpool._creator, pool_size=256, _dispatch=nullpool.dispatch,
            dialect=nullpool._dialect)
        nullpool.dispose()
        self._write_lock = threading.RLock()
        raw = engine.raw_connection()  # outside a transaction, as it needs
        try:
            raw.cursor().execute('PRAGMA journal_mode=WAL')
        finally:
            raw.close()
        self.refresh_statistics()

    def refresh_statistics(self):
        """SQLite: gather the statistics its query planner needs.

        Without them SQLite guesses that an indexed equality matches ten
        rows, and pages the market's offers (``status = 'open' OR
        project_id = ...``, by created_at) by merging two index searches
        and sorting every open offer: 3.5 ms instead of 1.3 ms for a
        1,000-row page of 10,000. Run at start and by the manager's
        sweep; ANALYZE reads at most ``analysis_limit`` rows per index
        (about a millisecond). PostgreSQL and MariaDB keep their own.
        """
        if self.get_engine().dialect.name != 'sqlite':
            return
        with self.writer() as session:
            session.execute(sa.text('PRAGMA analysis_limit=400'))
            session.execute(sa.text('ANALYZE'))

    @contextlib.contextmanager
    def writer(self):
        with self._write_lock, super().writer() as session:
            yield session

    # Offers

    @retry_on_deadlock
    def create_offer(self, values):
        now = timeutils.utcnow()
        # A provider's offer keeps the uuid the provider gave it.
        row = dict(values, uuid=values.get('uuid') or str(uuidlib.uuid4()),
                   status='open', created_at=now, updated_at=now)
        # Market.create_offer names the cloud; tools and tests writing here
        # directly mean the market's own (the [federation] default name).
        row.setdefault('cloud', DEFAULT_CLOUD)
        with self.writer() as session:
            _lock_resource(session, row['resource_uuid'])
            overlapping = session.execute(
                sa.select(models.offers.c.uuid).where(
                    models.offers.c.resource_uuid == row['resource_uuid'],
                    models.offers.c.status == 'open',
                    models.offers.c.start_time < row['end_time'],
                    models.offers.c.end_time > row['start_time'])
            ).first()
            if overlapping:
                raise errors.Conflict(
                    f'Node {row["resource_uuid"]} is already on offer for '
                    f'an overlapping window (offer {overlapping.uuid}).',
                    code='flocx.offer_overlaps')
            elsewhere = session.execute(
                sa.select(models.offers.c.cloud).where(
                    models.offers.c.resource_uuid == row['resource_uuid'],
                    models.offers.c.cloud != row['cloud']).limit(1)
            ).scalar()
            if elsewhere:
                # One node, one cloud: no provider may offer (and so block)
                # a node of another cloud under its uuid.
                raise errors.Conflict(
                    f'Node {row["resource_uuid"]} is a node of cloud '
                    f'{elsewhere}.', code='flocx.node_of_another_cloud')
            session.execute(sa.insert(models.offers), row)
            _add_event(session, row['project_id'], 'offer', row['uuid'],
                       'offer.create', {'status': 'open'}, now)
        # As GET shows it: every field, as the database stored it.
        return self.get_offer(row['uuid'])

    def get_offer(self, uuid):
        with self.reader() as session:
            row = db.get_row(session, models.offers, uuid)
        return db.serialize(row) if row else None

    def list_offers(self, filters, visible_to, limit, marker, sort_key,
                    sort_dir):
        t = models.offers
        where = _common_filters(t, filters)
        if filters.get('resource_class'):
            where.append(t.c.resource_class == filters['resource_class'])
        if filters.get('resource_uuid'):
            where.append(t.c.resource_uuid == filters['resource_uuid'])
        if filters.get('provider'):
            where.append(t.c.provider == filters['provider'])
        if filters.get('cloud'):
            where.append(t.c.cloud == filters['cloud'])
        visible = []
        if visible_to is not None:
            # The market: every open offer, and a project's own of any status.
            visible.append(sa.or_(t.c.status == 'open',
                                  _owned_by(t.c.project_id, visible_to)))
        return self._page(t, where, visible, limit, marker, sort_key,
                          sort_dir)

    @retry_on_deadlock
    def cancel_offer(self, uuid, reason='cancelled by its owner'):
        now = timeutils.utcnow()
        with self.writer() as session:
            offer = _get_row(session, models.offers, uuid, 'Offer')
            _lock_resource(session, offer['resource_uuid'])
            # Locking reads: see what committed while we waited for the lock.
            offer = _get_row(session, models.offers, uuid, 'Offer',
                             for_update=True)
            if offer['status'] != 'open':
                raise errors.Conflict(f'Offer {uuid} is {offer["status"]}.',
                                      code='flocx.offer_not_open')
            booked = session.execute(
                sa.select(models.contracts.c.uuid)
                .join(models.contract_nodes,
                      models.contract_nodes.c.contract_id ==
                      models.contracts.c.id)
                .where(models.contract_nodes.c.offer_id == offer['id'],
                       models.contracts.c.status.in_(LIVE_CONTRACT))
                .with_for_update()
            ).first()
            if booked:
                raise errors.Conflict(
                    f'Offer {uuid} is booked by contract {booked.uuid}; it '
                    'cannot be cancelled until that contract ends.',
                    code='flocx.offer_contracted')
            session.execute(sa.update(models.offers).where(
                models.offers.c.id == offer['id']).values(
                status='cancelled', status_reason=reason, updated_at=now))
            _add_event(session, offer['project_id'], 'offer', uuid,
                       'offer.cancel', {'reason': reason}, now)
        return self.get_offer(uuid)

    # Bids

    def create_bid(self, values):
        now = timeutils.utcnow()
        row = dict(values, uuid=str(uuidlib.uuid4()), status='open',
                   created_at=now, updated_at=now)
        with self.writer() as session:
            # Values as parameters: one cached statement for every bid.
            session.execute(sa.insert(models.bids), row)
            _add_event(session, row['project_id'], 'bid', row['uuid'],
                       'bid.create', {'status': 'open'}, now)
        return self.get_bid(row['uuid'])

    def get_bid(self, uuid):
        with self.reader() as session:
            row = db.get_row(session, models.bids, uuid)
        return db.serialize(row) if row else None

    def list_bids(self, filters, visible_to, limit, marker, sort_key,
                  sort_dir):
        t = models.bids
        where = _common_filters(t, filters)
        if filters.get('resource_class'):
            where.append(t.c.resource_class == filters['resource_class'])
        visible = ([] if visible_to is None else
                   [_owned_by(t.c.project_id, visible_to)])
        return self._page(t, where, visible, limit, marker, sort_key,
                          sort_dir)

    def cancel_bid(self, uuid, reason='cancelled by its owner'):
        now = timeutils.utcnow()
        with self.writer() as session:
            bid = _get_row(session, models.bids, uuid, 'Bid')
            changed = session.execute(sa.update(models.bids).where(
                models.bids.c.id == bid['id'],
                models.bids.c.status == 'open').values(
                status='cancelled', status_reason=reason, updated_at=now))
            if changed.rowcount != 1:
                raise errors.Conflict(
                    f'Bid {uuid} is {bid["status"]}; only an open bid can '
                    'be cancelled.', code='flocx.bid_not_open')
            _add_event(session, bid['project_id'], 'bid', uuid,
                       'bid.cancel', {'reason': reason}, now)
        return self.get_bid(uuid)

    def expire_orders(self, now=None):
        """Close orders whose time has passed; returns what was closed."""
        now = now or timeutils.utcnow()
        closed = {'offers': [], 'bids': []}
        with self.writer() as session:
            for kind, table, column in (
                    ('offers', models.offers, models.offers.c.end_time),
                    ('bids', models.bids, models.bids.c.latest_start_time)):
                rows = session.execute(
                    sa.select(table.c.id, table.c.uuid, table.c.project_id)
                    .where(table.c.status == 'open', column <= now)
                ).all()
                if not rows:
                    continue
                session.execute(sa.update(table).where(
                    table.c.id.in_([r.id for r in rows]),
                    table.c.status == 'open').values(
                    status='expired', status_reason='its window has passed',
                    updated_at=now))
                for r in rows:
                    _add_event(session, r.project_id, kind[:-1], r.uuid,
                               f'{kind[:-1]}.expire', {}, now)
                closed[kind] = [r.uuid for r in rows]
        return closed

    def reject_bids(self, uuids, reason):
        """Close open bids the engine answered "no" (e.g. at decide_by)."""
        now = timeutils.utcnow()
        rejected = []
        with self.writer() as session:
            for uuid in uuids:
                bid = session.execute(sa.select(models.bids).where(
                    models.bids.c.uuid == uuid)).mappings().first()
                if bid is None:
                    continue
                changed = session.execute(sa.update(models.bids).where(
                    models.bids.c.id == bid['id'],
                    models.bids.c.status == 'open').values(
                    status='expired', status_reason=reason[:255],
                    updated_at=now))
                if changed.rowcount:
                    _add_event(session, bid['project_id'], 'bid', uuid,
                               'bid.expire', {'reason': reason}, now)
                    rejected.append(uuid)
        return rejected

    # Contracts

    def get_contract(self, uuid):
        with self.reader() as session:
            row = db.get_row(session, models.contracts, uuid)
            if row is None:
                return None
            return self._with_nodes(session, [dict(row)])[0]

    def list_contracts(self, filters, visible_to, limit, marker, sort_key,
                       sort_dir):
        t = models.contracts
        where = _common_filters(t, filters)
        if filters.get('bid_uuid'):
            where.append(t.c.bid_uuid == filters['bid_uuid'])
        if filters.get('provider'):
            where.append(t.c.id.in_(
                sa.select(models.contract_nodes.c.contract_id)
                .join(models.offers, models.offers.c.id ==
                      models.contract_nodes.c.offer_id)
                .where(models.offers.c.provider == filters['provider'])))
        if filters.get('cloud'):
            # A cloud's provider: contracts with a node of that cloud.
            where.append(t.c.id.in_(
                sa.select(models.contract_nodes.c.contract_id)
                .join(models.offers, models.offers.c.id ==
                      models.contract_nodes.c.offer_id)
                .where(models.offers.c.cloud == filters['cloud'])))
        visible = []
        if visible_to is not None:
            visible.append(sa.or_(
                _owned_by(t.c.project_id, visible_to),
                t.c.id.in_(sa.select(models.contract_nodes.c.contract_id)
                           .where(_owned_by(
                               models.contract_nodes.c.owner_project_id,
                               visible_to)))))
        with self.reader() as session:
            rows = db.select_page(session, t, where, visible, limit, marker,
                                  sort_key, sort_dir, internal=())
            return self._with_nodes(session, rows)

    def contract_node_origins(self, uuid):
        """Where each node of a contract comes from: [{resource_uuid,
        cloud, provider}], or None when there is no such contract."""
        with self.reader() as session:
            contract = db.get_row(session, models.contracts, uuid)
            if contract is None:
                return None
            return [dict(r) for r in session.execute(
                sa.select(models.contract_nodes.c.resource_uuid,
                          models.offers.c.cloud, models.offers.c.provider)
                .join(models.offers,
                      models.offers.c.id == models.contract_nodes.c.offer_id)
                .where(models.contract_nodes.c.contract_id ==
                       contract['id'])).mappings()]

    def commit_award(self, award, now=None, parties=None):
        """Write one contract from the engine's award, or raise Refused.

        ``parties`` maps projects to the organization they trade as
        (organization_members): no party rents its own node.
        Idempotent: the same award committed twice returns the contract.
        """
        now = now or timeutils.utcnow()
        try:
            contract = self._book_in_transaction(award, now, parties or {})
        except Refused:
            existing = self._contract_for_bid(award['bid_uuid'])
            if existing and existing['uuid'] == award['uuid']:
                return existing
            raise
        return self.get_contract(contract['uuid'])

    @retry_on_deadlock
    def _book_in_transaction(self, award, now, parties):
        with self.writer() as session:
            return self._book(session, award, now, parties)

    def _book(self, session, award, now, parties):
        start, end = award['start_time'], award['end_time']
        bid = session.execute(sa.select(models.bids).where(
            models.bids.c.uuid == award['bid_uuid'])).mappings().first()
        if bid is None:
            raise Refused(f'bid {award["bid_uuid"]} does not exist')
        taken = session.execute(sa.update(models.bids).where(
            models.bids.c.id == bid['id'],
            models.bids.c.status == 'open').values(
            status='contracted', status_reason=None, updated_at=now))
        if taken.rowcount != 1:
            raise Refused(f'bid {bid["uuid"]} is {bid["status"]}')
        if start < now - START_SLACK:
            raise Refused('the contract would start in the past')
        if bid['decide_by'] is not None and now > bid['decide_by'] + \
                START_SLACK:
            raise Refused('the bid\'s decide_by has passed')
        if not bid['start_time'] <= start <= bid['latest_start_time']:
            raise Refused('the start is outside the bid\'s start range')
        if abs((end - start).total_seconds() - bid['duration']) > 1:
            raise Refused('the contract does not last the bid\'s duration')
        if len(award['nodes']) != bid['quantity']:
            raise Refused(f'the bid wants {bid["quantity"]} nodes, not '
                          f'{len(award["nodes"])}')
        price = decimal.Decimal(str(award['price']))
        if price > bid['price']:
            raise Refused('the price is above the bid')

        contract_uuid = award['uuid']
        hours = decimal.Decimal((end - start).total_seconds()) / 3600
        try:
            contract_id = session.execute(sa.insert(models.contracts).values(
                uuid=contract_uuid, bid_uuid=bid['uuid'],
                project_id=bid['project_id'], round_id=award.get('round_id'),
                start_time=start, end_time=end, price=price,
                cost=price * hours * len(award['nodes']), status='scheduled',
                created_at=now, updated_at=now)).inserted_primary_key[0]
        except db_exc.DBDuplicateEntry:
            raise Refused(f'contract {contract_uuid} already exists')

        nodes = []
        for node in award['nodes']:
            offer = session.execute(sa.select(models.offers.c.resource_uuid)
                                    .where(models.offers.c.uuid ==
                                           node['offer_uuid'])).first()
            if offer is None:
                raise Refused(f'offer {node["offer_uuid"]} does not exist')
            nodes.append((offer.resource_uuid, node['offer_uuid'], node))
        owners, clouds = set(), set()
        # A stable lock order (by node) keeps two committers from
        # deadlocking.
        for resource_uuid, offer_uuid, node in sorted(
                nodes, key=lambda n: n[:2]):
            _lock_resource(session, resource_uuid)
            # Read the offer and the node's bookings again under the lock,
            # with locking reads: a plain read may show what was true
            # before we waited (a cancel or booking committed meanwhile;
            # MariaDB's REPEATABLE READ keeps the snapshot of our first
            # read).
            offer = session.execute(
                sa.select(models.offers)
                .where(models.offers.c.uuid == offer_uuid)
                .with_for_update()).mappings().first()
            owner_price = decimal.Decimal(str(node['price']))
            problem = _offer_problem(offer, bid, start, end, owner_price,
                                     price, parties)
            if problem:
                raise Refused(f'offer {offer["uuid"]}: {problem}')
            # The node is not sold again until the end of the cleaning gap
            # that follows each rental.
            booked_until = end + self.cleaning_gap(offer)
            clash = session.execute(
                sa.select(models.contract_nodes.c.id).where(
                    models.contract_nodes.c.resource_uuid ==
                    offer['resource_uuid'],
                    models.contract_nodes.c.released.is_(False),
                    models.contract_nodes.c.start_time < booked_until,
                    models.contract_nodes.c.booked_until > start)
                .with_for_update()).first()
            if clash:
                raise Refused(f'node {offer["resource_uuid"]} is already '
                              'booked for part of that time')
            session.execute(sa.insert(models.contract_nodes).values(
                contract_id=contract_id, offer_id=offer['id'],
                resource_uuid=offer['resource_uuid'],
                owner_project_id=offer['project_id'], start_time=start,
                end_time=end, booked_until=booked_until, price=owner_price,
                released=False))
            owners.add(offer['project_id'])
            clouds.add(offer['cloud'])
        if len(clouds) > 1 and not bid['span_clouds']:
            raise Refused(
                'the bid wants all its nodes in one cloud, not in '
                f'{", ".join(sorted(clouds))} (it does not span clouds)')
        self.settle(session, contract_id, now, 'contract written')

        for project in {bid['project_id']} | owners:
            # The bid is the renter's own business (sealed bids).
            detail = ({'bid_uuid': bid['uuid'], 'status': 'scheduled'}
                      if project == bid['project_id']
                      else {'status': 'scheduled'})
            _add_event(session, project, 'contract', contract_uuid,
                       'contract.create', detail, now)
        return {'uuid': contract_uuid}

    def _contract_for_bid(self, bid_uuid):
        with self.reader() as session:
            row = session.execute(sa.select(models.contracts.c.uuid).where(
                models.contracts.c.bid_uuid == bid_uuid)).first()
        return self.get_contract(row.uuid) if row else None

    def update_contract_status(self, uuid, status, reason=None):
        """Move a contract along its life; both parties get an event."""
        now = timeutils.utcnow()
        with self.writer() as session:
            contract = _get_row(session, models.contracts, uuid, 'Contract')
            if status == contract['status']:
                return self.get_contract(uuid)
            allowed = CONTRACT_TRANSITIONS.get(contract['status'], set())
            if status not in allowed:
                raise errors.Conflict(
                    f'Contract {uuid} is {contract["status"]}; it cannot '
                    f'become {status}.', code='flocx.contract_transition')
            changed = session.execute(sa.update(models.contracts).where(
                models.contracts.c.id == contract['id'],
                models.contracts.c.status == contract['status']).values(
                status=status, status_reason=(reason or '')[:255] or None,
                updated_at=now))
            if changed.rowcount != 1:
                raise errors.Conflict(f'Contract {uuid} changed meanwhile.',
                                      code='flocx.contract_transition')
            if status in ('cancelled', 'failed'):
                # The node-time left goes back on the market (what was
                # delivered stays billed: settlement.py).
                self.mark_ended(session, contract['id'], status, reason, now)
                session.execute(sa.update(models.contract_nodes).where(
                    models.contract_nodes.c.contract_id == contract['id'],
                    models.contract_nodes.c.lent_at.is_(None))
                    .values(released=True))
            if status not in LIVE_CONTRACT:
                # Over: the renter's way into another cloud goes with it.
                _drop_access(session, contract['id'])
            owners = session.execute(
                sa.select(models.contract_nodes.c.owner_project_id)
                .where(models.contract_nodes.c.contract_id == contract['id'])
                .distinct()).scalars().all()
            action = {'active': 'start', 'completed': 'end',
                      'cancelled': 'cancel', 'failed': 'fail'}[status]
            for project in {contract['project_id'], *owners}:
                _add_event(session, project, 'contract', uuid,
                           f'contract.{action}',
                           {'status': status, 'reason': reason}, now)
            self.settle(session, contract['id'], now, f'contract {status}')
        return self.get_contract(uuid)

    def set_contract_access(self, uuid, access):
        now = timeutils.utcnow()
        with self.writer() as session:
            contract = _get_row(session, models.contracts, uuid, 'Contract')
            if contract['status'] not in LIVE_CONTRACT:
                raise errors.Conflict(
                    f'Contract {uuid} is {contract["status"]}: no access '
                    'to keep for it.', code='flocx.contract_transition')
            _drop_access(session, contract['id'])
            session.execute(sa.insert(models.contract_access), {
                'contract_id': contract['id'], 'access': access,
                'created_at': now})
            _add_event(session, contract['project_id'], 'contract', uuid,
                       'contract.access',
                       {'auth_type': access.get('auth_type'),
                        'expires_at': access.get('expires_at')}, now)
        return db.serialize(contract)

    def get_contract_access(self, uuid):
        t, access = models.contracts, models.contract_access
        with self.reader() as session:
            return session.execute(
                sa.select(access.c.access).join(
                    t, t.c.id == access.c.contract_id).where(
                    t.c.uuid == uuid)).scalar()

    # What the auction engine rebuilds its book from

    def order_book(self, now=None):
        now = now or timeutils.utcnow()
        with self.reader() as session:
            offers = [dict(r) for r in session.execute(
                sa.select(models.offers).where(
                    models.offers.c.status == 'open',
                    models.offers.c.end_time > now)).mappings()]
            # By node, not by offer: the market refuses a booking that
            # clashes with any of the node's bookings, also those made
            # through an earlier offer of it (withdrawn since, its
            # contracts standing).
            busy = {}
            for r in session.execute(
                    sa.select(models.contract_nodes.c.resource_uuid,
                              models.contract_nodes.c.start_time,
                              models.contract_nodes.c.booked_until)
                    .where(models.contract_nodes.c.released.is_(False),
                           models.contract_nodes.c.booked_until > now)):
                busy.setdefault(r.resource_uuid, []).append(
                    (r.start_time, r.booked_until))
            bids = [db.serialize(r) for r in session.execute(
                sa.select(models.bids).where(
                    models.bids.c.status == 'open',
                    models.bids.c.latest_start_time > now)).mappings()]
        result = []
        for offer in offers:
            item = db.serialize(offer)
            # A new rental must also end a cleaning gap before the next
            # one starts (commit_award's clash rule), so each booking is
            # shown as starting that much earlier: the engine, which
            # knows nothing of gaps, then never proposes what the market
            # must refuse (and would refuse again after every resync).
            gap = self.cleaning_gap(offer)
            item['busy'] = sorted([db.iso(start - gap), db.iso(until)]
                                  for start, until in busy.get(
                                      offer['resource_uuid'], []))
            result.append(item)
        return {'offers': result, 'bids': bids}

    def busy_intervals(self, offer_uuid):
        with self.reader() as session:
            rows = session.execute(
                sa.select(models.contract_nodes.c.start_time,
                          models.contract_nodes.c.booked_until)
                .join(models.offers,
                      models.offers.c.id == models.contract_nodes.c.offer_id)
                .where(models.offers.c.uuid == offer_uuid,
                       models.contract_nodes.c.released.is_(False))
                .order_by(models.contract_nodes.c.start_time)).all()
        return [[db.iso(r.start_time), db.iso(r.booked_until)] for r in rows]

    # Rounds and prices (the auction engine's history)

    def record_round(self, values):
        row = dict(values)
        for key in ('started_at', 'finished_at'):
            if isinstance(row[key], str):
                row[key] = timeutils.normalize_time(
                    timeutils.parse_isotime(row[key]))
        with self.writer() as session:
            session.execute(sa.insert(models.rounds).values(row))
        return self.get_round(row['uuid'])

    def get_round(self, uuid):
        with self.reader() as session:
            row = session.execute(sa.select(models.rounds).where(
                models.rounds.c.uuid == uuid)).mappings().first()
        return _round(row) if row else None

    def list_rounds(self, limit, marker=None):
        """Newest first."""
        t = models.rounds
        query = sa.select(t).order_by(t.c.id.desc()).limit(limit)
        with self.reader() as session:
            if marker:
                mark = session.execute(sa.select(t.c.id).where(
                    t.c.uuid == marker)).scalar()
                if mark is None:
                    raise errors.BadRequest(f'marker {marker} is not a '
                                            'known round.')
                query = query.where(t.c.id < mark)
            return [_round(r) for r in session.execute(query).mappings()]

    def price_history(self, resource_class=None, since=None, limit=1000):
        """Clearing prices per resource class, oldest first."""
        t = models.rounds
        query = sa.select(t.c.uuid, t.c.finished_at, t.c.clearing_prices) \
            .order_by(t.c.id.desc()).limit(limit)
        if since is not None:
            query = query.where(t.c.finished_at >= since)
        with self.reader() as session:
            rows = session.execute(query).all()
        prices = []
        for row in reversed(rows):
            for rc, price in sorted(row.clearing_prices.items()):
                if resource_class in (None, rc):
                    prices.append({'resource_class': rc,
                                   'round_id': row.uuid,
                                   'time': db.iso(row.finished_at),
                                   'price': price})
        return prices

    def market_depth(self, now=None):
        """Open supply and demand per resource class, in aggregate only:
        no bid's price or project is revealed."""
        now = now or timeutils.utcnow()
        depth = {}
        with self.reader() as session:
            for r in session.execute(
                    sa.select(models.offers.c.resource_class,
                              sa.func.count(),
                              sa.func.min(models.offers.c.price))
                    .where(models.offers.c.status == 'open',
                           models.offers.c.end_time > now)
                    .group_by(models.offers.c.resource_class)):
                depth[r[0]] = {'resource_class': r[0], 'offers': r[1],
                               'nodes_on_offer': r[1],
                               'free_node_hours': 0.0,
                               'lowest_ask': r[2], 'bids': 0,
                               'nodes_wanted': 0}
            for r in session.execute(
                    sa.select(models.bids.c.resource_class, sa.func.count(),
                              sa.func.sum(models.bids.c.quantity))
                    .where(models.bids.c.status == 'open',
                           models.bids.c.latest_start_time > now)
                    .group_by(models.bids.c.resource_class)):
                rc = r[0] or '*'
                entry = depth.setdefault(rc, {
                    'resource_class': rc, 'offers': 0, 'nodes_on_offer': 0,
                    'free_node_hours': 0.0, 'lowest_ask': None, 'bids': 0,
                    'nodes_wanted': 0})
                entry['bids'] += r[1]
                entry['nodes_wanted'] += int(r[2] or 0)
        # Supply is the node-time still free: booked time and cleaning
        # gaps are not on offer any more.
        for rc, (nodes, hours, lowest) in self.free_node_hours(now).items():
            if rc in depth:
                depth[rc].update(
                    nodes_on_offer=nodes,
                    free_node_hours=round(hours, 3),
                    lowest_ask=lowest)
        return [depth[rc] for rc in sorted(depth)]

    # Events

    def list_events(self, visible_to, since=None, object_uuid=None,
                    limit=100):
        t = models.events
        query = sa.select(t).order_by(t.c.id).limit(limit)
        if visible_to is not None:
            query = query.where(_owned_by(t.c.project_id, visible_to))
        if since is not None:
            query = query.where(t.c.id > since)
        if object_uuid:
            query = query.where(t.c.object_uuid == object_uuid)
        with self.reader() as session:
            return [dict(db.serialize(r), id=r['id'])
                    for r in session.execute(query).mappings()]

    # Clouds and organizations (the exchange between clouds)

    def create_cloud(self, values):
        now = timeutils.utcnow()
        row = dict(values, created_at=now, updated_at=now)
        row.setdefault('endpoints', {})
        try:
            with self.writer() as session:
                session.execute(sa.insert(models.clouds), row)
        except db_exc.DBDuplicateEntry:
            raise errors.Conflict(f'Cloud {values["name"]} already exists.',
                                  code='flocx.cloud_exists')
        return self.get_cloud(values['name'])

    def get_cloud(self, name):
        t = models.clouds
        with self.reader() as session:
            row = session.execute(
                sa.select(t).where(t.c.name == name)).mappings().first()
        return db.serialize(row) if row else None

    def list_clouds(self):
        t = models.clouds
        with self.reader() as session:
            return [db.serialize(r) for r in session.execute(
                sa.select(t).order_by(t.c.name)).mappings()]

    def delete_cloud(self, name):
        t, members = models.clouds, models.organization_projects
        with self.writer() as session:
            if session.execute(sa.select(members.c.id).where(
                    members.c.cloud == name).limit(1)).first():
                raise errors.Conflict(
                    f'Cloud {name} still has projects in organizations; '
                    'remove them first.', code='flocx.cloud_in_use')
            if not session.execute(
                    sa.delete(t).where(t.c.name == name)).rowcount:
                raise errors.NotFound(f'Cloud {name} not found.')

    def create_organization(self, values):
        now = timeutils.utcnow()
        row = dict(values, uuid=str(uuidlib.uuid4()), created_at=now,
                   updated_at=now)
        try:
            with self.writer() as session:
                session.execute(sa.insert(models.organizations), row)
        except db_exc.DBDuplicateEntry:
            raise errors.Conflict(
                f'An organization named {values["name"]} already exists.',
                code='flocx.organization_exists')
        return self.get_organization(row['uuid'])

    def get_organization(self, uuid):
        with self.reader() as session:
            row = db.get_row(session, models.organizations, uuid)
            return self._with_projects(session, [row])[0] if row else None

    def list_organizations(self, visible_to=None):
        """Every organization, or those with ``visible_to`` (cloud, project)."""
        t, members = models.organizations, models.organization_projects
        query = sa.select(t).order_by(t.c.name)
        if visible_to is not None:
            cloud, project_id = visible_to
            query = query.where(t.c.id.in_(
                sa.select(members.c.organization_id).where(
                    members.c.cloud == cloud,
                    members.c.project_id == project_id)))
        with self.reader() as session:
            rows = list(session.execute(query).mappings())
            return self._with_projects(session, rows)

    def delete_organization(self, uuid):
        t = models.organizations
        with self.writer() as session:
            if not session.execute(
                    sa.delete(t).where(t.c.uuid == uuid)).rowcount:
                raise errors.NotFound(f'Organization {uuid} not found.')

    def add_organization_project(self, uuid, cloud, project_id):
        members = models.organization_projects
        try:
            with self.writer() as session:
                org = _get_row(session, models.organizations, uuid,
                               'Organization')
                if session.execute(sa.select(models.clouds.c.id).where(
                        models.clouds.c.name == cloud)).first() is None:
                    raise errors.BadRequest(
                        f'Cloud {cloud} is not registered.',
                        pointer='/cloud', code='flocx.unknown_cloud')
                session.execute(sa.insert(members), {
                    'organization_id': org['id'], 'cloud': cloud,
                    'project_id': project_id,
                    'created_at': timeutils.utcnow()})
        except db_exc.DBDuplicateEntry:
            raise errors.Conflict(
                f'Project {project_id} of cloud {cloud} already takes part '
                'in an organization.', code='flocx.project_taken')
        return self.get_organization(uuid)

    def remove_organization_project(self, uuid, cloud, project_id):
        members, t = models.organization_projects, models.organizations
        with self.writer() as session:
            deleted = session.execute(sa.delete(members).where(
                members.c.cloud == cloud,
                members.c.project_id == project_id,
                members.c.organization_id.in_(
                    sa.select(t.c.id).where(t.c.uuid == uuid)))).rowcount
        if not deleted:
            raise errors.NotFound(
                f'Project {project_id} of cloud {cloud} is not in '
                f'organization {uuid}.')

    def organization_members(self, home_cloud):
        """{project, as the market names it: its organization's uuid}.

        A project of ``home_cloud`` (the market's own) is named by its id,
        another cloud's as CLOUD:ID (flocx_common.context).
        """
        t, members = models.organizations, models.organization_projects
        with self.reader() as session:
            rows = session.execute(
                sa.select(members.c.cloud, members.c.project_id, t.c.uuid)
                .join(t, members.c.organization_id == t.c.id)).all()
        return {(project if cloud == home_cloud else
                 context.qualified_project(cloud, project)): uuid
                for cloud, project, uuid in rows}

    def organization_projects(self, cloud, project_id, home_cloud):
        """Every project of the organization a cloud's project takes part
        as, as the market names them (with ``project_id`` itself); just
        that project when it takes part in none."""
        members = models.organization_projects
        mine = sa.select(members.c.organization_id).where(
            members.c.cloud == cloud, members.c.project_id == project_id)
        with self.reader() as session:
            rows = session.execute(
                sa.select(members.c.cloud, members.c.project_id).where(
                    members.c.organization_id.in_(mine.scalar_subquery()))
            ).all() or [(cloud, project_id)]
        return tuple(sorted(
            project if member_cloud == home_cloud else
            context.qualified_project(member_cloud, project)
            for member_cloud, project in rows))

    def organization_of(self, cloud, project_id):
        """The uuid of the organization a cloud's project takes part as."""
        t, members = models.organizations, models.organization_projects
        with self.reader() as session:
            return session.execute(
                sa.select(t.c.uuid).join(
                    members, members.c.organization_id == t.c.id).where(
                    members.c.cloud == cloud,
                    members.c.project_id == project_id)).scalar()

    def _with_projects(self, session, organizations):
        members = models.organization_projects
        ids = [o['id'] for o in organizations]
        projects = {}
        for r in session.execute(sa.select(members).where(
                members.c.organization_id.in_(ids)).order_by(
                members.c.cloud, members.c.project_id)).mappings():
            projects.setdefault(r['organization_id'], []).append(
                {'cloud': r['cloud'], 'project_id': r['project_id']})
        return [dict(db.serialize(o), projects=projects.get(o['id'], []))
                for o in organizations]

    # Paging

    def _page(self, table, where, visible, limit, marker, sort_key,
              sort_dir):
        with self.reader() as session:
            return db.select_page(session, table, where, visible, limit,
                                  marker, sort_key, sort_dir)

    def _with_nodes(self, session, contracts):
        if not contracts:
            return []
        ids = [c['id'] for c in contracts]
        nodes = {}
        for r in session.execute(
                sa.select(models.contract_nodes, models.offers.c.uuid,
                          models.offers.c.cloud)
                .join(models.offers,
                      models.offers.c.id == models.contract_nodes.c.offer_id)
                .where(models.contract_nodes.c.contract_id.in_(ids))
                .order_by(models.contract_nodes.c.id)).mappings():
            nodes.setdefault(r['contract_id'], []).append(r)
        result = []
        for contract in contracts:
            mine = nodes.get(contract['id'], [])
            item = db.serialize(contract)
            item['offer_uuids'] = [n['uuid'] for n in mine]
            item['resource_uuids'] = [n['resource_uuid'] for n in mine]
            item['owner_project_ids'] = sorted(
                {n['owner_project_id'] for n in mine})
            item['nodes'] = [{'offer_uuid': n['uuid'],
                              'resource_uuid': n['resource_uuid'],
                              'owner_project_id': n['owner_project_id'],
                              'cloud': n['cloud'],
                              'price': n['price'],
                              **_node_times(n)} for n in mine]
            result.append(item)
        return result


def _node_times(node):
    """A contract node's own times: its end moves with returns,
    revocations and extensions; the provider's lend and reclaim."""
    out = {'end_time': db.iso(node['end_time']),
           'booked_until': db.iso(node['booked_until']),
           'end_kind': node['end_kind'], 'end_reason': node['end_reason']}
    for key in ('ended_at', 'lent_at', 'reclaimed_at'):
        out[key] = db.iso(node[key]) if node[key] else None
    return out


def _owned_by(column, projects):
    """``column`` is ``projects`` (one project id, or several: an
    organization's)."""
    if isinstance(projects, str):
        return column == projects
    return column.in_(projects)


def _common_filters(table, filters):
    where = []
    if filters.get('status'):
        where.append(table.c.status == filters['status'])
    if filters.get('project_id'):
        where.append(table.c.project_id == filters['project_id'])
    if filters.get('starts_after'):
        where.append(table.c.start_time >= filters['starts_after'])
    if filters.get('starts_before'):
        where.append(table.c.start_time <= filters['starts_before'])
    if filters.get('ends_after') and 'end_time' in table.c:
        where.append(table.c.end_time >= filters['ends_after'])
    if filters.get('ends_before') and 'end_time' in table.c:
        where.append(table.c.end_time <= filters['ends_before'])
    return where


def _offer_problem(offer, bid, start, end, owner_price, renter_price,
                   parties):
    if offer['status'] != 'open':
        return f'it is {offer["status"]}'
    if offer['project_id'] == bid['project_id']:
        return 'a project cannot rent its own node'
    organization = parties.get(offer['project_id'])
    if organization and organization == parties.get(bid['project_id']):
        return (f'organization {organization} cannot rent its own node '
                '(offered by another of its projects)')
    if not (offer['start_time'] <= start and end <= offer['end_time']):
        return 'the contract is outside its window'
    if owner_price < offer['price']:
        return 'the owner would get less than its ask'
    if renter_price < owner_price:
        return 'the renter would pay less than the owner gets'
    if not hardware.satisfies(offer['resource_class'], offer['properties'],
                              bid['resource_class'], bid['constraints']):
        return 'its hardware does not meet the bid'
    return None



def _lock_resource(session, resource_uuid):
    db.lock_row(session, models.resources.c.resource_uuid, resource_uuid)


def _get_row(session, table, uuid, name, for_update=False):
    query = sa.select(table).where(table.c.uuid == uuid)
    if for_update:
        query = query.with_for_update()
    row = session.execute(query).mappings().first()
    if row is None:
        raise errors.NotFound(f'{name} {uuid} not found.')
    return dict(row)


def _drop_access(session, contract_id):
    session.execute(sa.delete(models.contract_access).where(
        models.contract_access.c.contract_id == contract_id))


def _add_event(session, project_id, object_type, object_uuid, event_type,
               detail, now):
    session.execute(sa.insert(models.events), {
        'project_id': project_id, 'object_type': object_type,
        'object_uuid': object_uuid, 'event_type': event_type,
        'detail': detail, 'created_at': now})


def _round(row):
    item = db.serialize(row)
    item['id'] = item.pop('uuid')
    item['contracts'] = len(item['contract_uuids'])
    return item
