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
