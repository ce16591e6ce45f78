"""/v1/bids: sealed bids, their validation and cancellation."""

import json
import uuid

from tests.unit.market import base

BID_FIELDS = {'uuid', 'project_id', 'quantity', 'resource_class',
              'constraints', 'start_time', 'latest_start_time', 'duration',
              'price', 'decide_by', 'status', 'status_reason', 'created_at',
              'updated_at', 'span_clouds'}


class BidCreateTest(base.MarketTestCase):

    def test_create_returns_201_and_fields(self):
        body = base.bid_body(
            quantity=2, price=3.5,
            constraints=[{'property': 'cpus', 'op': '>=', 'value': 8},
                         {'property': 'traits', 'op': 'has',
                          'value': 'CUSTOM_GPU'}],
            latest_start_time=base.iso(base.hours_from_now(10)),
            decide_by=base.iso(base.hours_from_now(1)))
        resp = self.org_b.post('/v1/bids', body)
        self.assertEqual(201, resp.status_code, resp.body)
        bid = resp.json
        self.assertEqual(BID_FIELDS, set(bid))
        self.assertTrue(resp.location.endswith(f"/v1/bids/{bid['uuid']}"))
        self.assertEqual(('org-b', 'open', 2, 3.5, 3600),
                         (bid['project_id'], bid['status'], bid['quantity'],
                          bid['price'], bid['duration']))
        self.assertEqual(body['constraints'], bid['constraints'])
        self.assertEqual(bid, self.org_b.get(resp.location).json)

    def test_project_comes_from_the_token_not_the_body(self):
        body = base.bid_body()
        body['project_id'] = 'org-a'
        self.assertError(self.org_b.post('/v1/bids', body), 400,
                         'project_id')

    def test_latest_start_defaults_to_start(self):
        bid = self.make_bid()
        self.assertEqual(bid['start_time'], bid['latest_start_time'])

    def test_integral_float_quantity_is_an_integer(self):
        bid = self.make_bid(quantity=2.0, duration=7200.0)
        self.assertEqual((2, 7200), (bid['quantity'], bid['duration']))
        self.assertIsInstance(bid['quantity'], int)


class SpanCloudsTest(base.MarketTestCase):
    """Microversion 1.2: may a bid's nodes be in several clouds?"""

    def client(self, version):
        return base.base.Client(self.market.app, project='org-b',
                                version=f'marketplace {version}')

    def test_default_is_one_cloud(self):
        for client in (self.org_b, self.client('1.1'), self.client('1.2')):
            resp = client.post('/v1/bids', base.bid_body(quantity=2))
            self.assertEqual(201, resp.status_code, resp.body)
            self.assertIs(False, resp.json['span_clouds'])

    def test_1_2_accepts_and_shows_it(self):
        client = self.client('1.2')
        resp = client.post('/v1/bids',
                           base.bid_body(quantity=2, span_clouds=True))
        self.assertEqual(201, resp.status_code, resp.body)
        self.assertIs(True, resp.json['span_clouds'])
        shown = client.get(resp.location).json
        self.assertIs(True, shown['span_clouds'])
        listed = client.get('/v1/bids').json['bids']
        self.assertEqual([True], [b['span_clouds'] for b in listed])

    def test_not_a_boolean(self):
        for value in ('yes', 1, None, [True]):
            resp = self.client('1.2').post(
                '/v1/bids', base.bid_body(quantity=2, span_clouds=value))
            error = self.assertError(resp, 400)
            self.assertEqual('/span_clouds',
                             error.get('source', {}).get('pointer'), error)

    def test_older_microversions_refuse_it(self):
        for client in (self.org_b, self.client('1.1')):
            resp = client.post('/v1/bids',
                               base.bid_body(quantity=2, span_clouds=True))
            error = self.assertError(resp, 400, 'microversion 1.2')
            self.assertEqual('/span_clouds',
                             error.get('source', {}).get('pointer'), error)


class BidValidationTest(base.MarketTestCase):

    def assertInvalid(self, pointer, fragment=None, **changes):
        resp = self.org_b.post('/v1/bids', base.bid_body(**changes))
        error = self.assertError(resp, 400, fragment)
        self.assertEqual(pointer, error.get('source', {}).get('pointer'),
                         error)
        return error

    def test_unknown_field(self):
        self.assertInvalid('/', 'flavor', flavor='large')

    def test_quantity(self):
        self.assertInvalid('/quantity', quantity=0)
        self.assertInvalid('/quantity', quantity=-1)
        self.assertInvalid('/quantity', quantity=1.5)
        self.assertInvalid('/quantity', quantity='1')
        self.assertInvalid('/quantity', 'at most 1000', quantity=1001)
        self.assertInvalid('/quantity', quantity=10 ** 30)

    def test_price(self):
        self.assertInvalid('/price', price=-1)
        self.assertInvalid('/price', 'at most', price=1e6 + 1)
        self.assertInvalid('/price', price=None)
        for raw in ('NaN', 'Infinity', '-Infinity', '1e400',
                    '1e99999999999999999999', '-1e-99999999999999999999'):
            body = json.dumps(base.bid_body()).replace(
                '"price": 2.0', f'"price": {raw}')
            self.assertError(self.org_b.post('/v1/bids', raw=body), 400)

    def test_price_has_at_most_six_places(self):
        # The seventh place was rounded away by the database, in silence.
        self.assertInvalid('/price', '0.1234567 has more than 6 decimal '
                           'places', price=0.1234567)

    def test_price_is_kept_as_written(self):
        for raw in ('0.1', '0.123456', '999999.999999', '3.10000000', '2'):
            body = json.dumps(base.bid_body()).replace(
                '"price": 2.0', f'"price": {raw}')
            resp = self.org_b.post('/v1/bids', raw=body)
            self.assertEqual(201, resp.status_code, resp.body)
            written = raw.rstrip('0') if '.' in raw else raw + '.0'
            self.assertIn(f'"price":{written}', resp.text)
            self.assertIn(f'"price":{written}',
                          self.org_b.get(resp.location).text)

    def test_constraint_values_with_fractions(self):
        constraint = {'property': 'cpu_ghz', 'op': '>=', 'value': 2.5}
        bid = self.make_bid(constraints=[constraint])
        self.assertEqual([constraint], bid['constraints'])

    def test_duration_bounds(self):
        self.assertInvalid('/duration', duration=59)
        self.assertInvalid('/duration', duration=0)
        self.assertInvalid('/duration', 'at most 366 days',
                           duration=367 * 86400)
        self.assertEqual(201, self.org_b.post(
            '/v1/bids', base.bid_body(duration=60)).status_code)

    def test_times(self):
        self.assertInvalid('/start_time', 'past', start=-1)
        self.assertInvalid('/start_time', 'days ahead', start=24 * 800)
        self.assertInvalid('/start_time', start_time='2026-13-45T00:00:00')
        self.assertInvalid(
            '/latest_start_time', 'before',
            latest_start_time=base.iso(base.hours_from_now(1)))
        self.assertInvalid(
            '/latest_start_time', 'days ahead',
            latest_start_time=base.iso(base.hours_from_now(24 * 800)))

    def test_decide_by(self):
        self.assertInvalid('/decide_by', 'after the latest start',
                           decide_by=base.iso(base.hours_from_now(3)))
        self.assertInvalid('/decide_by', 'past',
                           decide_by=base.iso(base.hours_from_now(-0.1)))
        self.assertInvalid('/decide_by', decide_by='tomorrow')

    def test_constraints(self):
        def constraint(**kw):
            return [dict({'property': 'cpus', 'op': '>=', 'value': 4}, **kw)]
        self.assertInvalid('/constraints/0/op',
                           constraints=constraint(op='~='))
        self.assertInvalid('/constraints/0', constraints=[
            {'property': 'cpus', 'op': '>='}])
        self.assertInvalid('/constraints/0', constraints=constraint(x=1))
        self.assertInvalid('/constraints/0/property',
                           constraints=constraint(property='cpus\n'))
        self.assertInvalid('/constraints/0/value',
                           constraints=constraint(value={'a': 1}))
        self.assertInvalid('/constraints/0/value',
                           constraints=constraint(value=1e16))
        self.assertInvalid('/constraints',
                           constraints=constraint() * 33)

    def test_unicode_resource_class(self):
        self.assertInvalid('/resource_class', resource_class='Ğpu')


class BidSealingTest(base.MarketTestCase):
    """Nobody but the bidder's project (and admins) learns a bid exists."""

    def setUp(self):
        super().setUp()
        self.bid = self.make_bid(client=self.org_b)
        self.path = f"/v1/bids/{self.bid['uuid']}"

    def test_other_projects_get_404(self):
        for client in (self.org_a, self.org_c):
            error = self.assertError(client.get(self.path), 404)
            self.assertEqual(
                self.assertError(client.get(f'/v1/bids/{uuid.uuid4()}'),
                                 404)['detail'].split()[0],
                error['detail'].split()[0])
            self.assertError(client.delete(self.path), 404)

    def test_list_shows_only_own_even_when_filtering_by_project(self):
        mine = self.make_bid(client=self.org_c)
        for query in ('', '?project_id=org-b', '?status=open'):
            resp = self.org_c.get('/v1/bids' + query)
            self.assertEqual(200, resp.status_code)
            self.assertNotIn(self.bid['uuid'],
                             [b['uuid'] for b in resp.json['bids']])
        self.assertEqual([mine['uuid']], [
            b['uuid'] for b in self.org_c.get('/v1/bids').json['bids']])

    def test_admin_sees_every_bid(self):
        self.assertEqual(200, self.admin.get(self.path).status_code)
        self.assertIn(self.bid['uuid'], [
            b['uuid'] for b in self.admin.get('/v1/bids').json['bids']])

    def test_marker_of_someone_elses_bid_is_400(self):
        # Paging from another project's bid sorted by price would reveal
        # its price; the marker must be a bid the caller can see.
        self.make_bid(client=self.org_c, price=5.0)
        resp = self.org_c.get(
            f"/v1/bids?sort_key=price&marker={self.bid['uuid']}")
        self.assertError(resp, 400, 'marker')


class BidCancelTest(base.BookingTestCase):

    def test_owner_cancels_open_bid(self):
        bid = self.make_bid()
        resp = self.org_b.delete(f"/v1/bids/{bid['uuid']}")
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual('cancelled', resp.json['status'])
        error = self.assertError(self.org_b.delete(f"/v1/bids/{bid['uuid']}"),
                                 409)
        self.assertEqual('flocx.bid_not_open', error['code'])

    def test_contracted_bid_is_409(self):
        offer = self.make_offer()
        bid = self.make_bid()
        self.commit(base.award_for(bid, [offer]))
        error = self.assertError(
            self.org_b.delete(f"/v1/bids/{bid['uuid']}"), 409, 'contracted')
        self.assertEqual('flocx.bid_not_open', error['code'])

    def test_reader_cannot_cancel(self):
        bid = self.make_bid()
        reader = self.org_b.as_('org-b', 'reader')
        self.assertError(reader.delete(f"/v1/bids/{bid['uuid']}"), 403)
        self.assertEqual('open', self.db.get_bid(bid['uuid'])['status'])


class BidFilterTest(base.MarketTestCase):

    def test_filters(self):
        soon = self.make_bid(start=2, resource_class='gpu')
        later = self.make_bid(start=20)
        self.org_b.delete(f"/v1/bids/{later['uuid']}")
        cases = {
            '?resource_class=gpu': {soon['uuid']},
            '?status=cancelled': {later['uuid']},
            '?status=open': {soon['uuid']},
            f'?starts_after={base.iso(base.hours_from_now(10))}':
                {later['uuid']},
            f'?starts_before={base.iso(base.hours_from_now(10))}':
                {soon['uuid']},
        }
        for query, expected in cases.items():
            resp = self.org_b.get('/v1/bids' + query)
            self.assertEqual(200, resp.status_code, resp.body)
            self.assertEqual(expected,
                             {b['uuid'] for b in resp.json['bids']}, query)
        self.assertError(self.org_b.get('/v1/bids?status=sold'), 400)
        self.assertError(self.org_b.get('/v1/bids?sort_key=end_time'), 400)
