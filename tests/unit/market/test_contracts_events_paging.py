"""/v1/contracts and /v1/events, and paging of every list."""

from urllib import parse

from tests.unit.market import base


class ContractsApiTest(base.BookingTestCase):

    def test_parties_see_contract_others_404(self):
        contract = self.contract()
        path = f"/v1/contracts/{contract['uuid']}"
        for client in (self.admin, self.service):
            self.assertEqual(contract, client.get(path).json)
        # Sealed prices: the renter sees its price, not the owners'
        # receipts; the owner (org-a) its receipt, not the renter's price.
        renter = self.org_b.get(path).json
        self.assertEqual(contract['price'], renter['price'])
        self.assertEqual(contract['cost'], renter['cost'])
        self.assertEqual([{k: v for k, v in n.items() if k != 'price'}
                          for n in contract['nodes']], renter['nodes'])
        owner = self.org_a.get(path).json
        for key in ('price', 'cost', 'bid_uuid'):
            self.assertNotIn(key, owner)
        self.assertEqual(contract['nodes'], owner['nodes'])
        self.assertEqual({k: v for k, v in contract.items()
                          if k not in ('price', 'cost', 'bid_uuid')}, owner)
        self.assertError(self.org_c.get(path), 404)
        self.assertEqual([], self.org_c.get('/v1/contracts').json[
            'contracts'])

    def test_filters(self):
        first = self.contract()
        second = self.contract()
        self.db.update_contract_status(second['uuid'], 'active')
        cases = {'?status=active': [second['uuid']],
                 f"?bid_uuid={first['bid_uuid']}": [first['uuid']],
                 '?project_id=org-b': [first['uuid'], second['uuid']]}
        for query, expected in cases.items():
            resp = self.org_b.get('/v1/contracts' + query)
            self.assertEqual(expected,
                             [c['uuid'] for c in resp.json['contracts']])
        self.assertError(self.org_b.get('/v1/contracts?status=done'), 400)


class EventsApiTest(base.BookingTestCase):

    def test_each_party_reads_its_own_events(self):
        offer = self.make_offer()
        contract = self.contract([offer])
        renter = [(e['object_type'], e['event_type'])
                  for e in self.org_b.get('/v1/events').json['events']]
        self.assertEqual([('bid', 'bid.create'),
                          ('contract', 'contract.create')], renter)
        owner = self.org_a.get(
            f"/v1/events?object_uuid={contract['uuid']}").json['events']
        self.assertEqual(['contract.create'],
                         [e['event_type'] for e in owner])
        self.assertEqual([], self.org_c.get('/v1/events').json['events'])

    def test_since_and_limit(self):
        for _ in range(3):
            self.make_bid()
        events = self.org_b.get('/v1/events?limit=2').json['events']
        self.assertEqual(2, len(events))
        rest = self.org_b.get(
            f"/v1/events?since={events[-1]['id']}").json['events']
        self.assertEqual(1, len(rest))
        self.assertGreater(rest[0]['id'], events[-1]['id'])
        self.assertError(self.org_b.get('/v1/events?since=x'), 400)


class PagingTest(base.MarketTestCase):

    def walk(self, client, path):
        """Follow next links; returns the pages' uuid lists."""
        pages = []
        while path:
            resp = client.get(path)
            self.assertEqual(200, resp.status_code, resp.body)
            key = path.split('?')[0].rsplit('/', 1)[-1]
            pages.append([item['uuid'] for item in resp.json[key]])
            nxt = resp.json.get('next')
            path = nxt and nxt.replace('http://localhost', '')
        return pages

    def test_next_links_cover_everything_once(self):
        offers = [self.make_offer(price=p) for p in (3, 1, 2, 1, 5)]
        pages = self.walk(self.org_b, '/v1/offers?limit=2&sort_key=price')
        self.assertEqual([2, 2, 1], [len(p) for p in pages])
        by_price = sorted(offers, key=lambda o: o['price'])
        self.assertEqual([o['uuid'] for o in by_price], sum(pages, []))
        desc = self.walk(self.org_b, '/v1/offers?limit=3&sort_dir=desc')
        self.assertEqual([o['uuid'] for o in reversed(offers)], sum(desc, []))

    def test_next_link_keeps_filters(self):
        for _ in range(3):
            self.make_bid()
        resp = self.org_b.get('/v1/bids?limit=2&status=open')
        query = dict(parse.parse_qsl(parse.urlsplit(resp.json['next']).query))
        self.assertEqual({'limit': '2', 'status': 'open',
                          'marker': resp.json['bids'][-1]['uuid']}, query)

    def test_no_next_link_on_a_short_page(self):
        self.make_offer()
        self.assertNotIn('next', self.org_b.get('/v1/offers').json)

    def test_default_and_max_limit(self):
        market = self.useFixture(base.MarketFixture(
            **{'api.default_limit': 2, 'api.max_limit': 3}))
        service = base.base.Client(market.app, 'service', 'service')
        for _ in range(4):
            service.post('/v1/offers', base.offer_body())
        client = base.base.Client(market.app)
        self.assertEqual(2, len(client.get('/v1/offers').json['offers']))
        self.assertEqual(3, len(client.get('/v1/offers?limit=3').json[
            'offers']))
        self.assertError(client.get('/v1/offers?limit=4'), 400, 'limit')

    def test_bad_paging_parameters(self):
        for query in ('limit=0', 'limit=-1', 'limit=two', 'sort_dir=up',
                      'sort_key=uuid', 'marker=nope'):
            self.assertError(self.org_b.get(f'/v1/offers?{query}'), 400)
