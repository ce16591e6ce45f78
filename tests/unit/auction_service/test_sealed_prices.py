"""Sealed bids: no party but the bidder (and admins) learns a bid's price.

The owner-inference test plays the owner of the nodes: over random
histories of rounds it reads everything the owner's project can read
(contracts, each contract, events, its offers, bids, the auction's prices,
rounds, each round, status, the mechanism, the error answers to reaching
for the renter's bids) and checks that this view is the same, byte for
byte once uuids and clock times are named by role, for two histories that
differ only in the bid prices, which the mechanism treats alike (same
winners, same nodes, same order). It also checks that no bid price appears
anywhere in it. FLOCX_SEALED_HISTORIES=20 plays more random histories
(2 by default, each of 3 rounds of 3 contracts, per mechanism).

The log test follows bids through their whole life (create, contract,
start, end, cancel, expire) with notifications written to the log and
asserts that no log line at INFO or above holds a bid's price.
"""

import json
import logging
import os
import random
import re
import time
import uuid as uuidlib

import fixtures
from oslo_messaging.notify import _impl_test as notify_test
import pytest

from flocx_auction.api import app as auction_app
from flocx_auction.cmd import engine as engine_cmd
from flocx_auction import conf as auction_conf
from flocx_common import context
from flocx_market.cmd import manager as manager_cmd
from tests.unit import base
from tests.unit.market import base as market_base

MECHANISMS = ('welfare', 'mcafee', 'pay_as_bid', 'fcfs')
UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-'
                  r'[0-9a-f]{12}')
ISO_TIME = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?'
                      r'(Z|[+-]\d\d:\d\d)?')
# Clock readings that differ between any two runs.
# Clock readings, and what is measured from the clock: the market depth's
# free node-hours count from now (0.45 in one play, 0.451 in the next).
VOLATILE_KEYS = {'created_at', 'updated_at', 'time', 'started_at',
                 'finished_at', 'duration_ms', 'start_time', 'end_time',
                 'next_round', 'host', 'member_id', 'request_id',
                 'free_node_hours'}


def _wait(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


class Stack:
    """A market, its manager, a leading engine and the auction API."""

    def __init__(self, mechanism, **market_overrides):
        self.fixture = fixtures.Fixture()
        self.fixture.setUp()
        use = self.fixture.useFixture
        self.market = use(market_base.MarketFixture(**market_overrides))
        manager = manager_cmd.ManagerService(self.market.conf,
                                             self.market.services)
        manager.start()
        self.fixture.addCleanup(manager.stop)
        state = use(fixtures.TempDir()).path
        self.conf = use(base.ConfFixture(
            auction_conf.register_opts, **{
                'auth_strategy': 'noauth', 'auction.state_path': state,
                'auction.round_interval': 3600,
                'auction.mechanism': mechanism,
                'auction.publish_price_min_contracts': 2})).conf
        self.engine = engine_cmd.EngineService(self.conf)
        self.engine.start()
        self.fixture.addCleanup(self.engine.stop)
        assert _wait(lambda: self.engine.engine.last_round)
        self.auction = auction_app.setup_app(self.conf)
        self.service = base.Client(self.market.app, project='service',
                                   roles='service')
        self.renter = base.Client(self.market.app, project='org-b')
        self.admin = base.Client(self.auction, system=True,
                                 roles='admin,member,reader')

    def close(self):
        self.fixture.cleanUp()

    def run_round(self, wanted_bids):
        engine = self.engine.engine
        assert _wait(lambda: engine.book.sizes()['bids'] >= wanted_bids)
        resp = self.admin.post('/v1/rounds')
        assert resp.status_code == 201, resp.body
        return resp.json


def history(seed, rounds=3, per_round=3):
    """Random asks and two sets of bid prices the mechanisms treat alike.

    Offer i of a round is the only node whose window holds bid i (so the
    same bid wins the same node whatever its price); the second set of
    prices is an order-preserving re-draw of the first, every bid still
    above its node's ask.
    """
    rnd = random.Random(seed)
    plan = []
    for r in range(rounds):
        pairs = []
        for i in range(per_round):
            ask = round(rnd.uniform(0.5, 4.0), 3)
            pairs.append((r, i, ask))
        # Bid prices: above every ask of the round (so the same bids win
        # under every mechanism), in a random order that both sets keep.
        floor = max(a for _, _, a in pairs)
        order = list(range(per_round))
        rnd.shuffle(order)
        first = sorted(round(rnd.uniform(floor + 0.1, floor + 6), 3)
                       for _ in pairs)
        second = sorted(round(rnd.uniform(floor + 0.1, floor + 9), 3)
                        for _ in pairs)
        while len(set(first)) < per_round or len(set(second)) < per_round:
            first = [p + 0.001 * k for k, p in enumerate(first)]
            second = [p + 0.001 * k for k, p in enumerate(second)]
        plan.append([(r, i, ask, round(first[order[i]], 3),
                      round(second[order[i]], 3))
                     for r, i, ask in pairs])
    return plan


class SeededUuids:
    """The market database's uuid module, with uuid4 drawn from a seed:
    both runs of a history give their offers and bids the same uuids, so
    that anything ordered by uuid is ordered alike and what differs can
    only come from the prices."""

    def __init__(self, seed):
        self.random = random.Random(seed)

    def uuid4(self):
        return uuidlib.UUID(int=self.random.getrandbits(128), version=4)

    def __getattr__(self, name):
        return getattr(uuidlib, name)


def play(mechanism, plan, variant, seed=0):
    """Run ``plan`` with bid prices ``variant`` (0 or 1); return the
    owner's view, the names of the objects and every bid price."""
    stack = Stack(mechanism)
    stack.fixture.useFixture(fixtures.MonkeyPatch(
        'flocx_market.db.api.uuidlib', SeededUuids(seed)))
    try:
        names, prices, offers = {}, [], []
        for r, pairs in enumerate(plan):
            for _r, i, ask, *bid_prices in pairs:
                # Windows apart: bid i fits offer i only; all start within
                # 12 h, so every bid is due (answered) in its round.
                start = 1 + 1.2 * (r * len(pairs) + i)
                offer = stack.service.post('/v1/offers', market_base.offer_body(
                    start=start, end=start + 1.1, price=ask)).json
                names[offer['uuid']] = f'offer-{r}-{i}'
                names[offer['resource_uuid']] = f'node-{r}-{i}'
                offers.append(offer)
                bid = stack.renter.post('/v1/bids', market_base.bid_body(
                    start=start + 0.05, duration=3600,
                    price=bid_prices[variant])).json
                assert 'uuid' in bid, bid
                names[bid['uuid']] = f'bid-{r}-{i}'
                prices.append(bid_prices[variant])
            summary = stack.run_round(wanted_bids=len(pairs))
            names[summary['id']] = f'round-{r}'
            for uuid in summary.get('contract_uuids', []):
                contract = stack.market.db.get_contract(uuid)
                offer_name = names[contract['offer_uuids'][0]]
                names[uuid] = 'contract-of-' + offer_name
        # Admins see the renters' prices; the renter its own.
        for c in stack.renter.get('/v1/contracts').json['contracts']:
            assert 'price' in c and all('price' not in n for n in c['nodes'])
        view = owner_view(stack, offers)
        return canonical(view, names), view, prices
    finally:
        stack.close()


def owner_view(stack, offers):
    """Everything project org-a (the owner of every node) can read."""
    market = base.Client(stack.market.app, project='org-a')
    manager = base.Client(stack.market.app, project='org-a',
                          roles='manager,member,reader')
    auction = base.Client(stack.auction, project='org-a')
    view = {}
    for who, client in (('member', market), ('manager', manager)):
        contracts = client.get('/v1/contracts?limit=1000').json
        view[f'{who} contracts'] = contracts
        view[f'{who} each contract'] = [
            client.get(f"/v1/contracts/{c['uuid']}").json
            for c in contracts['contracts']]
        for sort in ('price', 'start_time', 'created_at'):
            for direction in ('asc', 'desc'):
                view[f'{who} contracts by {sort} {direction}'] = [
                    c['uuid'] for c in client.get(
                        f'/v1/contracts?sort_key={sort}&sort_dir='
                        f'{direction}&limit=1000').json['contracts']]
        view[f'{who} events'] = client.get('/v1/events?limit=1000').json
        view[f'{who} offers'] = client.get('/v1/offers?limit=1000').json
        view[f'{who} bids'] = client.get('/v1/bids?limit=1000').json
        view[f'{who} renter bids'] = client.get(
            '/v1/bids?project_id=org-b').json
        view[f'{who} contracts of org-b'] = client.get(
            '/v1/contracts?project_id=org-b&limit=1000').json
        for offer in offers:
            view[f'{who} offer {offer["uuid"]}'] = client.get(
                f"/v1/offers/{offer['uuid']}").json
    # Reaching for the renter's bids by their uuids: the error answers.
    for contract in stack.market.db.list_contracts(
            {}, None, 1000, None, 'created_at', 'asc'):
        view[f'bid of {contract["uuid"]}'] = market.get(
            f"/v1/bids/{contract['bid_uuid']}").json
        view[f'cancel bid of {contract["uuid"]}'] = market.delete(
            f"/v1/bids/{contract['bid_uuid']}").json
    rounds = auction.get('/v1/rounds').json
    view['rounds'] = rounds
    view['each round'] = [auction.get(f"/v1/rounds/{r['id']}").json
                          for r in rounds['rounds']]
    view['prices'] = auction.get('/v1/prices').json
    view['status'] = auction.get('/v1/status').json
    view['mechanism'] = auction.get('/v1/mechanism').json
    return view


def canonical(view, names):
    """The view with every uuid named by role and clock times dropped,
    lists of objects in a stable order."""
    def walk(node):
        if isinstance(node, dict):
            return {walk(k): walk(v) for k, v in node.items()
                    if k not in VOLATILE_KEYS}
        if isinstance(node, list):
            items = [walk(v) for v in node]
            if all(isinstance(i, dict) for i in items):
                items.sort(key=lambda i: json.dumps(i, sort_keys=True))
            return items
        if isinstance(node, str):
            node = UUID.sub(lambda m: names.get(m.group(0), '<uuid>'), node)
            return ISO_TIME.sub('<time>', node)
        return node
    return json.dumps(walk(view), sort_keys=True, indent=1)


def price_texts(price):
    # (Prices are drawn with 3 decimals; fewer would match other numbers.)
    return {repr(price), f'{price:.3f}', f'{price:.6f}'}


@pytest.mark.parametrize('mechanism', MECHANISMS)
@pytest.mark.parametrize('seed', range(int(os.environ.get(
    'FLOCX_SEALED_HISTORIES', '2'))))
def test_the_owner_cannot_tell_bid_prices_apart(mechanism, seed):
    plan = history(seed)
    first, raw, prices = play(mechanism, plan, 0, seed)
    second, _, other_prices = play(mechanism, plan, 1, seed)
    assert prices != other_prices
    # Contracts were made (the view is not trivially empty)...
    contracts = json.loads(first)['member contracts']['contracts']
    expected = sum(len(p) - (1 if mechanism == 'mcafee' else 0) for p in plan)
    assert len(contracts) == expected
    # ... each showing the owner what it receives, its ask ...
    for c in raw['member contracts']['contracts']:
        assert 'price' not in c and 'cost' not in c and 'bid_uuid' not in c
        assert [n['owner_project_id'] for n in c['nodes']] == ['org-a']
    # ... and everything the owner reads is the same for either set of bids.
    assert first == second
    # (Searched in the canonical view: clock readings such as
    # '...T10:11:07.355123' would otherwise match a price by chance.)
    text = first
    for price in prices:
        for shown in price_texts(price):
            assert shown not in text, (price, shown)


def test_bid_prices_never_reach_the_log_at_info(caplog):
    """A bid's whole life with notifications written to the log."""
    caplog.set_level(logging.DEBUG)
    stack = Stack('pay_as_bid', **{
        'oslo_messaging_notifications.driver': ['log', 'test']})
    try:
        notify_test.reset()
        secret = 7.31913
        offer = stack.service.post('/v1/offers', market_base.offer_body(
            start=2, end=6, price=1.25)).json
        bid = stack.renter.post('/v1/bids', market_base.bid_body(
            start=2.5, duration=3600, price=secret)).json
        # A second bid that is cancelled, and one that expires unserved.
        cancelled = stack.renter.post('/v1/bids', market_base.bid_body(
            start=3, duration=3600, price=secret)).json
        assert stack.renter.delete(
            f"/v1/bids/{cancelled['uuid']}").status_code == 200
        stack.renter.post('/v1/bids', market_base.bid_body(
            start=30, duration=3600, price=secret, resource_class='none'))
        summary = stack.run_round(wanted_bids=1)
        [contract] = summary['contract_uuids']
        ctx = context.get_admin_context()
        market = stack.market.services.market
        market.update_contract(ctx, contract, 'active')
        market.update_contract(ctx, contract, 'completed')
        # A refused (bad) bid and a read of the contract by each party.
        stack.renter.post('/v1/bids', market_base.bid_body(price=-secret))
        stack.renter.get(f'/v1/contracts/{contract}')
        base.Client(stack.market.app, project='org-a').get(
            f'/v1/contracts/{contract}')

        # The bus (the test driver) carried the full objects ...
        carried = json.dumps([n for n in notify_test.NOTIFICATIONS],
                             default=str)
        assert '7.31913' in carried
        # ... the log lines at INFO and above named none of the prices.
        infos = [r for r in caplog.records if r.levelno >= logging.INFO]
        assert any('bid.create' in r.getMessage() for r in infos), \
            'the log driver wrote no notification: the test saw nothing'
        for record in infos:
            line = record.getMessage()
            assert '7.31913' not in line, line
            assert '7.319' not in line, line
        assert offer and bid
    finally:
        stack.close()


def test_withheld_payload_when_the_bus_fails(caplog):
    """oslo.messaging's own "Could not send notification ... Payload="."""
    from flocx_common import notify
    notify.withhold_payloads()
    logger = logging.getLogger('oslo_messaging.notify.messaging')
    with caplog.at_level(logging.ERROR, logger=logger.name):
        logger.error('Could not send notification to %(topic)s. '
                     'Payload=%(message)s',
                     {'topic': 'versioned_notifications',
                      'message': {'payload': {'price': 7.31913}}})
    [record] = caplog.records
    assert '7.31913' not in record.getMessage()
    assert 'Could not send notification' in record.getMessage()
