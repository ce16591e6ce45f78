"""Bids choose clouds and sites: a round never gives a bid a node elsewhere."""

from flocx_auction.api import app as auction_app
from flocx_market.cmd import manager as manager_cmd
from tests.unit import base
from tests.unit.auction_service import test_engine_service as engine_test
from tests.unit.market import base as market_base
from tests.unit.market import test_federation


class CloudRoundTest(test_federation.FederationBase):
    start_engine_conf = engine_test.EngineServiceTest.start_engine_conf
    start_engine = engine_test.EngineServiceTest.start_engine

    def setUp(self):
        super().setUp()
        manager = manager_cmd.ManagerService(self.market.conf,
                                             self.market.services)
        manager.start()
        self.addCleanup(manager.stop)
        self.engine_service = self.start_engine(self.start_engine_conf())
        self.auction_admin = base.Client(
            auction_app.setup_app(self.engine_service.conf), system=True,
            roles='admin,member,reader')
        self.cloud_b_admin.post(
            f'/v1/organizations/{self.acme["uuid"]}/projects',
            {'cloud': 'cloud-b', 'project_id': 'b-proj'})
        b_service = base.Client(self.market.app, project='b-service',
                                roles='service')
        b_service.headers['OpenStack-Market-Cloud'] = 'cloud-b'
        # The cheaper node is the home cloud's: a bid that may take either
        # would get it.
        self.home_offer = self.make_offer(price=1.0)
        resp = b_service.post('/v1/offers', market_base.offer_body(
            project='b-proj', price=2.0))
        self.assertEqual(201, resp.status_code, resp.body)
        self.b_offer = resp.json

    def _round_for(self, constraints):
        bid = self.make_bid(price=5.0, start=2, duration=3600,
                            constraints=constraints)
        engine = self.engine_service.engine
        self.assertTrue(engine_test.wait_for(
            lambda: engine.book.sizes()['bids'] >= 1))
        summary = self.auction_admin.post('/v1/rounds').json
        contracts = [c for c in self.org_b.get('/v1/contracts').json[
            'contracts'] if c['bid_uuid'] == bid['uuid']]
        return summary, contracts

    def test_a_bid_that_requires_cloud_b_gets_a_node_of_cloud_b(self):
        _, contracts = self._round_for(
            [{'property': 'cloud', 'op': '==', 'value': 'cloud-b'}])
        self.assertEqual([[self.b_offer['uuid']]],
                         [c['offer_uuids'] for c in contracts])

    def test_a_bid_that_forbids_cloud_b_never_gets_its_node(self):
        _, contracts = self._round_for(
            [{'property': 'cloud', 'op': '!=', 'value': 'cloud-b'},
             {'property': 'cpus', 'op': '>=', 'value': 1}])
        self.assertEqual([[self.home_offer['uuid']]],
                         [c['offer_uuids'] for c in contracts])

    def test_a_bid_for_a_site_nobody_has_gets_nothing(self):
        _, contracts = self._round_for(
            [{'property': 'site', 'op': 'in', 'value': ['paris', 'lyon']}])
        self.assertEqual([], contracts)


class NoSaleToItselfTest(CloudRoundTest):
    """A round never sells a party its own node: not a project, and not an
    organization, whichever of its clouds the offer and the bid come from."""

    def _contracts_of(self, client, bid):
        return [c['offer_uuids'] for c in client.get('/v1/contracts').json[
            'contracts'] if c['bid_uuid'] == bid['uuid']]

    def _round(self, client, **bid):
        bid = self.make_bid(client=client, price=5.0, start=2,
                            duration=3600, **bid)
        engine = self.engine_service.engine
        self.assertTrue(engine_test.wait_for(
            lambda: engine.book.sizes()['bids'] >= 1))
        self.auction_admin.post('/v1/rounds')
        return self._contracts_of(client, bid)

    def test_a_project_gets_another_projects_node(self):
        # org-a's own node is the cheapest that fits; it gets cloud-b's.
        self.assertEqual([[self.b_offer['uuid']]], self._round(self.org_a))

    def test_an_organization_gets_no_node_of_its_own_in_any_cloud(self):
        resp = self.market_admin.post('/v1/clouds', {
            'name': 'home', 'keystone_url': 'https://home.example/v3'})
        self.assertEqual(201, resp.status_code, resp.body)
        resp = self.market_admin.post(
            f'/v1/organizations/{self.acme["uuid"]}/projects',
            {'cloud': 'home', 'project_id': 'org-a'})
        self.assertEqual(201, resp.status_code, resp.body)
        org_c_offer = self.make_offer(project='org-c', price=3.0)
        # acme is org-a here and b-proj in cloud-b: the dearest node, org-c's.
        self.assertEqual([[org_c_offer['uuid']]], self._round(self.org_a))
        # And cloud-b's b-proj, bidding, gets neither acme node either.
        resp = self.b_member.post('/v1/bids', market_base.bid_body(
            price=5.0, start=3, duration=3600))
        self.assertEqual(201, resp.status_code, resp.body)
        engine = self.engine_service.engine
        self.assertTrue(engine_test.wait_for(
            lambda: engine.book.sizes()['bids'] >= 1))
        self.auction_admin.post('/v1/rounds')
        self.assertEqual([], self._contracts_of(self.b_member, resp.json))


class SpanCloudsRoundTest(CloudRoundTest):
    """A bid of several nodes gets them in one cloud unless it spans clouds
    (microversion 1.2), through the market and the engine."""

    # The parent's rounds run in CloudRoundTest already.
    test_a_bid_that_requires_cloud_b_gets_a_node_of_cloud_b = None
    test_a_bid_that_forbids_cloud_b_never_gets_its_node = None
    test_a_bid_for_a_site_nobody_has_gets_nothing = None

    def _pair_round(self, **extra):
        client = base.Client(self.market.app, project='org-b',
                             version='marketplace 1.2')
        resp = client.post('/v1/bids', market_base.bid_body(
            quantity=2, price=5.0, start=2, duration=3600, **extra))
        self.assertEqual(201, resp.status_code, resp.body)
        bid = resp.json
        engine = self.engine_service.engine
        self.assertTrue(engine_test.wait_for(
            lambda: engine.book.sizes()['bids'] >= 1))
        self.auction_admin.post('/v1/rounds')
        contracts = [sorted(c['offer_uuids'])
                     for c in client.get('/v1/contracts').json['contracts']
                     if c['bid_uuid'] == bid['uuid']]
        return contracts, client.get(f'/v1/bids/{bid["uuid"]}').json

    def test_one_node_in_each_cloud_serves_no_one_cloud_bid(self):
        contracts, bid = self._pair_round()
        self.assertEqual([], contracts)
        self.assertEqual('expired', bid['status'])  # the engine's "no"

    def test_a_bid_that_spans_clouds_gets_one_node_in_each(self):
        contracts, _ = self._pair_round(span_clouds=True)
        self.assertEqual(
            [sorted([self.home_offer['uuid'], self.b_offer['uuid']])],
            contracts)

    def test_two_nodes_in_cloud_b_serve_it_there(self):
        b_service = base.Client(self.market.app, project='b-service',
                                roles='service')
        b_service.headers['OpenStack-Market-Cloud'] = 'cloud-b'
        resp = b_service.post('/v1/offers', market_base.offer_body(
            project='b-proj', price=2.0))
        self.assertEqual(201, resp.status_code, resp.body)
        contracts, _ = self._pair_round()
        self.assertEqual(
            [sorted([self.b_offer['uuid'], resp.json['uuid']])], contracts)
