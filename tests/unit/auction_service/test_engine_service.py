"""The auction engine as a service: RPC with the market, rounds, the API."""

import time

import fixtures

from flocx_auction.api import app as auction_app
from flocx_auction.cmd import engine as engine_cmd
from flocx_auction import conf as auction_conf
from flocx_market.cmd import manager as manager_cmd
from tests.unit import base
from tests.unit.market import base as market_base


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


class EngineServiceTest(market_base.MarketTestCase):
    def setUp(self):
        super().setUp()
        manager = manager_cmd.ManagerService(self.market.conf,
                                             self.market.services)
        manager.start()
        self.addCleanup(manager.stop)
        self.auction_conf = self.start_engine_conf()
        self.engine_service = self.start_engine(self.auction_conf)
        self.auction_api = auction_app.setup_app(self.auction_conf)
        self.auction_admin = base.Client(self.auction_api, system=True,
                                         roles='admin,member,reader')

    def start_engine_conf(self, **overrides):
        state = self.useFixture(fixtures.TempDir()).path
        return self.useFixture(base.ConfFixture(
            auction_conf.register_opts, **{
                'auth_strategy': 'noauth',
                'auction.state_path': state,
                'auction.round_interval': 3600,
                **overrides})).conf

    def start_engine(self, conf):
        service = engine_cmd.EngineService(conf)
        service.start()
        self.addCleanup(service.stop)
        # The leader clears once as soon as it leads; let that round pass so
        # the tests' own rounds see the orders they make.
        self.assertTrue(wait_for(lambda: service.engine.last_round))
        return service

    def test_round_turns_matching_orders_into_a_contract(self):
        offer = self.make_offer(price=1.0)
        bid = self.make_bid(price=3.0, start=2, duration=7200)
        engine = self.engine_service.engine
        # The market's casts reach the engine's book.
        self.assertTrue(wait_for(lambda: engine.book.sizes() ==
                                 {'offers': 1, 'bids': 1}))

        resp = self.auction_admin.post('/v1/rounds')
        self.assertEqual(201, resp.status_code, resp.body)
        summary = resp.json
        self.assertEqual(1, summary['contracts'], summary)

        contracts = self.org_b.get('/v1/contracts').json['contracts']
        self.assertEqual([bid['uuid']], [c['bid_uuid'] for c in contracts])
        self.assertEqual([offer['uuid']], contracts[0]['offer_uuids'])
        self.assertLessEqual(contracts[0]['price'], 3.0)
        self.assertGreaterEqual(contracts[0]['price'], 1.0)
        self.assertEqual('contracted',
                         self.org_b.get(f"/v1/bids/{bid['uuid']}")
                         .json['status'])
        # The owner sees the contract too; an unrelated project does not.
        self.assertEqual(1, len(self.org_a.get('/v1/contracts')
                                .json['contracts']))
        self.assertEqual([], self.org_c.get('/v1/contracts')
                         .json['contracts'])

        rounds = self.auction_admin.get('/v1/rounds').json['rounds']
        self.assertEqual(summary['id'], rounds[0]['id'])
        shown = self.auction_admin.get(f"/v1/rounds/{summary['id']}").json
        self.assertEqual(summary['contract_uuids'], shown['contract_uuids'])
        # One trade in the class: its price would tell the owner the bid,
        # so it is not published; admins find it in the round's stats.
        prices = self.auction_admin.get('/v1/prices').json
        self.assertEqual([], prices['prices'])
        self.assertEqual({}, shown['clearing_prices'])
        self.assertIn('baremetal', shown['stats']['clearing_prices'])

    def test_prices_are_published_once_enough_contracts_are_made(self):
        for _ in range(3):
            self.make_offer(price=1.0)
            self.make_bid(price=3.0, start=2, duration=7200)
        summary = self.auction_admin.post('/v1/rounds').json
        self.assertEqual(3, summary['contracts'])
        prices = self.auction_admin.get('/v1/prices').json['prices']
        self.assertEqual(['baremetal'], [p['resource_class'] for p in prices])
        self.assertEqual(summary['clearing_prices']['baremetal'],
                         prices[0]['price'])

    def test_prices_since_must_be_a_time(self):
        # An empty since went to the database as a timestamp: PostgreSQL
        # refused it (a 500; SQLite compared it as text).
        for since in ('', 'yesterday', '%20'):
            resp = self.auction_admin.get(f'/v1/prices?since={since}')
            self.assertEqual(400, resp.status_code, resp.body)
            self.assertIn('since', resp.json['errors'][0]['detail'])
        self.assertEqual(200, self.auction_admin.get(
            '/v1/prices?since=2026-01-01T00:00:00Z').status_code)

    def test_bid_not_yet_due_is_held(self):
        self.make_offer(start=1, end=200)
        bid = self.make_bid(start=100)  # due 12 h before its start
        engine = self.engine_service.engine
        self.assertTrue(wait_for(lambda: engine.book.sizes()['bids'] == 1))
        summary = self.auction_admin.post('/v1/rounds').json
        self.assertEqual(0, summary['contracts'])
        self.assertEqual('open', self.org_b.get(f"/v1/bids/{bid['uuid']}")
                         .json['status'])

    def test_stale_book_contract_is_refused_and_book_reloaded(self):
        offer = self.make_offer()
        bid = self.make_bid()
        engine = self.engine_service.engine
        self.assertTrue(wait_for(lambda: engine.book.sizes()['bids'] == 1))
        # The offer is cancelled behind the engine's back (no cast), and a
        # periodic round (which trusts the book it keeps) runs.
        self.market.db.cancel_offer(offer['uuid'])
        summary = engine.run_round()
        self.assertEqual(0, summary['contracts'])
        self.assertEqual(1, len(summary['refused']))
        self.assertIn('cancelled', summary['refused'][0]['reason'])
        # The next round reloads the book from the market: no offer is left
        # for the bid, which is due, so it is answered "no".
        summary = self.auction_admin.post('/v1/rounds').json
        self.assertEqual(0, summary['offers_in'])
        self.assertEqual([bid['uuid']], summary['rejected'])
        self.assertEqual({'offers': 0, 'bids': 0}, engine.book.sizes())
        self.assertEqual('expired', self.org_b.get(f"/v1/bids/{bid['uuid']}")
                         .json['status'])

    def test_restarted_engine_rebuilds_its_book_from_the_market(self):
        self.make_offer()
        self.make_bid(start=100)
        self.engine_service.stop()
        fresh = self.start_engine(self.start_engine_conf())
        fresh.engine.run_round()
        self.assertEqual({'offers': 1, 'bids': 1}, fresh.engine.book.sizes())

    def test_only_one_of_two_engines_leads(self):
        second = engine_cmd.EngineService(self.auction_conf)
        second.start()
        self.addCleanup(second.stop)
        time.sleep(0.3)
        self.assertTrue(self.engine_service.engine.leading)
        self.assertFalse(second.engine.leading)
        status = self.auction_admin.get('/v1/status').json
        self.assertEqual(self.engine_service.engine.member_id,
                         status['member_id'])
        # The leader goes away: the other one takes over.
        self.engine_service.stop()
        second.engine._keep_or_take_lead()
        self.assertTrue(second.engine.leading)

    def test_mechanism_and_status_documents(self):
        mech = self.auction_admin.get('/v1/mechanism').json
        self.assertEqual('welfare', mech['name'])
        self.assertEqual({'welfare', 'mcafee', 'pay_as_bid', 'fcfs'},
                         {m['name'] for m in mech['available']})
        status = self.auction_admin.get('/v1/status').json
        self.assertTrue(status['leader'])

    def test_round_start_needs_admin(self):
        member = base.Client(self.auction_api, project='org-b',
                             roles='member,reader')
        self.assertError(member.post('/v1/rounds'), 403)
        self.assertEqual(200, member.get('/v1/rounds').status_code)
