"""Many committers racing for the same nodes and bids on a real server.

16 threads commit competing awards (same nodes, overlapping times, the
same bid in several awards) while others cancel offers and bids. Whatever
the interleaving, afterwards: no node-hour sold twice, no bid in two
contracts, nothing booked on an order cancelled before, every accepted
award in the database, and every bid's status telling the truth.
"""

import collections
import datetime
import random
import threading
import uuid

from oslo_utils import timeutils
import sqlalchemy as sa

from flocx_common.api import errors
from flocx_market.db import api as db_api
from flocx_market.db import models

THREADS = 16
NODES = 6
BIDS = 80
HOUR = datetime.timedelta(hours=1)


def _offer(db, node, start):
    return db.create_offer({
        'project_id': 'owner', 'resource_uuid': node, 'resource_type':
        'ironic_node', 'resource_class': 'bm', 'properties': {'cpus': 8},
        'start_time': start, 'end_time': start + 12 * HOUR, 'price': 1})


def _bid(db, n, start):
    return db.create_bid({
        'project_id': f'renter-{n % 5}', 'quantity': 1 + n % 2,
        'resource_class': 'bm', 'constraints': [], 'start_time': start,
        'latest_start_time': start, 'duration': 2 * 3600, 'price': 2,
        'decide_by': None})


def _award(bid, offers, start):
    return {'uuid': str(uuid.uuid4()), 'bid_uuid': bid['uuid'],
            'round_id': 'race', 'start_time': start,
            'end_time': start + datetime.timedelta(seconds=bid['duration']),
            'price': 2, 'nodes': [{'offer_uuid': o['uuid'], 'price': 1}
                                  for o in offers]}


def test_competing_awards_and_cancels(database):
    db = database.connect()
    t0 = (timeutils.utcnow() + HOUR).replace(microsecond=0)
    offers = [_offer(db, str(uuid.uuid4()), t0) for _ in range(NODES)]
    bids = []
    for n in range(BIDS):
        start = t0 + (n % 4) * HOUR   # 2 h bookings starting 0-3 h in
        bids.append((_bid(db, n, start), start))

    rng = random.Random(42)
    tasks = []
    for bid, start in bids:
        # Every bid is awarded three times, on different random nodes.
        for _ in range(3):
            chosen = rng.sample(offers, bid['quantity'])
            tasks.append(('award', _award(bid, chosen, start)))
    tasks += [('cancel_bid', bid['uuid']) for bid, _ in rng.sample(bids, 15)]
    tasks += [('cancel_offer', o['uuid']) for o in rng.sample(offers, 2)]
    rng.shuffle(tasks)

    outcomes = collections.defaultdict(list)
    failures = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def worker(mine):
        barrier.wait()
        for kind, arg in mine:
            try:
                if kind == 'award':
                    result = db.commit_award(arg)
                elif kind == 'cancel_bid':
                    result = db.cancel_bid(arg)
                else:
                    result = db.cancel_offer(arg)
            except (db_api.Refused, errors.Conflict) as e:
                result = e
            except Exception as e:  # a crash is a lost order
                with lock:
                    failures.append((kind, arg, repr(e)))
                continue
            with lock:
                outcomes[kind].append((arg, result, timeutils.utcnow()))

    threads = [threading.Thread(target=worker, args=(tasks[i::THREADS],))
               for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), 'workers hung'
    assert failures == []

    accepted = [r for _, r, _ in outcomes['award']
                if not isinstance(r, Exception)]
    assert accepted, 'no award went through: the race tested nothing'
    assert any(isinstance(r, db_api.Refused)
               for _, r, _ in outcomes['award'])

    with db.reader() as session:
        contracts = session.execute(sa.select(models.contracts)).mappings(
        ).all()
        nodes = session.execute(sa.select(
            models.contract_nodes, models.offers.c.uuid.label('offer_uuid'))
            .join(models.offers, models.offers.c.id ==
                  models.contract_nodes.c.offer_id)).mappings().all()
        bid_rows = {r.uuid: r for r in session.execute(
            sa.select(models.bids))}
        offer_rows = {r.uuid: r for r in session.execute(
            sa.select(models.offers))}

    # No lost orders: exactly the accepted awards are in the database (an
    # idempotent re-commit returns the same contract, never a second one).
    assert ({c['uuid'] for c in contracts} ==
            {c['uuid'] for c in accepted})

    # No bid in two contracts, and bid status tells the truth.
    per_bid = collections.Counter(c['bid_uuid'] for c in contracts)
    assert max(per_bid.values()) == 1
    for bid_uuid, row in bid_rows.items():
        assert (row.status == 'contracted') == (bid_uuid in per_bid), row
    for bid_uuid, result, _ in outcomes['cancel_bid']:
        if not isinstance(result, Exception):
            assert bid_uuid not in per_bid

    # No node-hour sold twice.
    by_node = collections.defaultdict(list)
    for n in nodes:
        if not n['released']:
            by_node[n['resource_uuid']].append((n['start_time'],
                                                n['end_time']))
    for node, spans in by_node.items():
        spans.sort()
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert end <= start, f'node {node} sold twice: {spans}'

    # Every contract has as many nodes as its bid asked for.
    node_count = collections.Counter(n['contract_id'] for n in nodes)
    for c in contracts:
        assert node_count[c['id']] == bid_rows[c['bid_uuid']].quantity

    # Nothing booked on an offer after it was cancelled: a cancelled offer
    # has no live booking at all (cancel refuses while one exists).
    for offer_uuid, result, _ in outcomes['cancel_offer']:
        if not isinstance(result, Exception):
            assert offer_rows[offer_uuid].status == 'cancelled'
            assert not [n for n in nodes if n['offer_uuid'] == offer_uuid
                        and not n['released']]


def test_extensions_race_new_bookings(database):
    """Renters extend their contracts while rounds book the same nodes
    right after them (issue 12): an extension is all of a contract's nodes
    or none, and whichever commits first wins the node-time, cleaning gaps
    included; nothing overlaps."""
    db = database.connect()
    db.default_cleaning_gap = 1800
    gap = datetime.timedelta(seconds=1800)
    t0 = (timeutils.utcnow() + HOUR).replace(microsecond=0)
    offers = [db.create_offer({
        'project_id': 'owner', 'resource_uuid': str(uuid.uuid4()),
        'resource_type': 'ironic_node', 'resource_class': 'bm',
        'properties': {'cpus': 8}, 'start_time': t0,
        'end_time': t0 + 12 * HOUR, 'price': 1}) for _ in range(6)]
    # Two-node contracts on nodes 0+1 and 2+3, one-node on 4 and 5, each
    # [t0, t0 + 2 h).
    first = []
    for n, chosen in enumerate([offers[0:2], offers[2:4], offers[4:5],
                                offers[5:6]]):
        bid = db.create_bid({
            'project_id': f'renter-{n}', 'quantity': len(chosen),
            'resource_class': 'bm', 'constraints': [], 'start_time': t0,
            'latest_start_time': t0, 'duration': 2 * 3600, 'price': 2,
            'decide_by': None})
        first.append(db.commit_award(_award(bid, chosen, t0)))

    rng = random.Random(12)
    tasks = []
    for contract in first:
        for minutes in rng.sample(range(30, 301, 30), 5):
            tasks.append(('extend', (contract['uuid'],
                                     t0 + 2 * HOUR +
                                     datetime.timedelta(minutes=minutes))))
    for n in range(30):
        start = t0 + 2 * HOUR + gap + datetime.timedelta(
            minutes=30 * rng.randint(0, 6))
        bid = db.create_bid({
            'project_id': f'later-{n}', 'quantity': 1,
            'resource_class': 'bm', 'constraints': [], 'start_time': start,
            'latest_start_time': start, 'duration': 3600, 'price': 2,
            'decide_by': None})
        tasks.append(('award', _award(bid, [rng.choice(offers)], start)))
    rng.shuffle(tasks)

    outcomes = collections.defaultdict(list)
    failures = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def worker(mine):
        barrier.wait()
        for kind, arg in mine:
            try:
                if kind == 'award':
                    result = db.commit_award(arg)
                else:
                    result = db.extend_contract(*arg)
            except (db_api.Refused, errors.Conflict,
                    errors.BadRequest) as e:
                result = e
            except Exception as e:  # a crash, a deadlock not retried
                with lock:
                    failures.append((kind, arg, repr(e)))
                continue
            with lock:
                outcomes[kind].append((arg, result))

    threads = [threading.Thread(target=worker, args=(tasks[i::8],))
               for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), 'workers hung'
    assert failures == []
    # The race decided both ways.
    for kind in ('extend', 'award'):
        results = [r for _, r in outcomes[kind]]
        assert any(not isinstance(r, Exception) for r in results), kind
        assert any(isinstance(r, (errors.Conflict, db_api.Refused))
                   for r in results), kind

    cn = models.contract_nodes
    with db.reader() as session:
        rows = session.execute(sa.select(
            cn.c.contract_id, cn.c.resource_uuid, cn.c.start_time,
            cn.c.end_time, cn.c.booked_until).where(
            cn.c.released.is_(False)).order_by(
            cn.c.resource_uuid, cn.c.start_time)).all()
        ends = dict(session.execute(sa.select(
            models.contracts.c.id, models.contracts.c.end_time)).all())
    # All or nothing: every node of a contract ends when the contract does.
    for row in rows:
        assert row.end_time == ends[row.contract_id], row
    # Nothing overlaps, cleaning gaps included.
    for before, after in zip(rows, rows[1:]):
        if before.resource_uuid == after.resource_uuid:
            assert before.booked_until <= after.start_time, (before, after)
    # Each contract's last granted extension is where it ends.
    for contract in first:
        granted = [arg[1] for arg, r in outcomes['extend']
                   if arg[0] == contract['uuid'] and
                   not isinstance(r, Exception)]
        now = db.get_contract(contract['uuid'])
        assert parse(now['end_time']) == max(granted, default=t0 + 2 * HOUR)


def parse(text):
    return timeutils.normalize_time(timeutils.parse_isotime(text))
