"""flocxclient on its own: typed errors, exact prices, paging, headers."""

import decimal
import json

from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
import testtools

from flocxclient import client as flocx_client
from flocxclient import exceptions
from tests.unit.cli import base

GLOBAL_REQUEST_ID = 'req-11111111-2222-3333-4444-555555555555'


class DumpsTest(testtools.TestCase):

    def test_decimals_keep_their_digits(self):
        body = {'price': decimal.Decimal('0.1000000000000000055511151231'),
                'nested': [decimal.Decimal('1E+2')], 'name': '__x__'}
        text = flocx_client.dumps(body)
        self.assertIn('"price": 0.1000000000000000055511151231', text)
        self.assertEqual(
            {'price': decimal.Decimal('0.1000000000000000055511151231'),
             'nested': [decimal.Decimal('1E+2')], 'name': '__x__'},
            json.loads(text, parse_float=decimal.Decimal))

    def test_other_objects_are_refused(self):
        self.assertRaises(TypeError, flocx_client.dumps, {'x': object()})
        self.assertRaises(TypeError, flocx_client.dumps,
                          {'x': decimal.Decimal('NaN')})


class LibraryTest(base.CLITestCase):
    """The library against the real APIs on loopback (base.CLITestCase)."""

    def client(self, project='org-b', roles='member,reader',
               api_versions=None, **overrides):
        urls = {'marketplace': self.urls['marketplace'],
                'auction': self.urls['auction'],
                'provider': self.urls['provider']}
        urls.update(overrides)
        auth = token_endpoint.Token(urls['marketplace'],
                                    f'{project}:{roles}')
        return flocx_client.Client(ks_session.Session(auth=auth),
                                   endpoint_overrides=urls,
                                   api_versions=api_versions,
                                   global_request_id=GLOBAL_REQUEST_ID)

    def test_typed_errors_carry_the_request_id(self):
        flocx = self.client()
        error = self.assertRaises(exceptions.NotFound, flocx.get_bid,
                                  'no-such-bid')
        self.assertEqual((404, 'Not Found'), (error.status, error.title))
        self.assertTrue(error.request_id.startswith('req-'))
        self.assertIn(f', request {error.request_id})', error.one_line())
        error = self.assertRaises(exceptions.BadRequest, flocx.create_bid, {
            'quantity': 1, 'start_time': 'soon', 'duration': 3600,
            'price': decimal.Decimal('1')})
        self.assertEqual('/start_time', error.pointer)
        self.assertIsInstance(error, exceptions.ClientException)

    def test_microversion_and_global_request_id_headers(self):
        flocx = self.client(auction=self.urls['stub'])
        self.stub.answer('GET', '/v1/mechanism', {'name': 'welfare',
                                                  'available': []})
        flocx.get_mechanism()
        request, = self.stub.requests
        self.assertEqual(('auction 1.0', GLOBAL_REQUEST_ID),
                         (request['version'], request['global_request_id']))

    def test_paging_follows_next_links(self):
        self.market.conf.set_override('default_limit', 2, group='api')
        made = [self.make_offer(price=p)['uuid'] for p in (1, 2, 3, 4, 5)]
        self.assertEqual(made, [o['uuid'] for o in
                                self.client().list_offers()])
        self.assertEqual(made[:3], [o['uuid'] for o in
                                    self.client().list_offers(limit=3)])

    def test_marketplace_1_4_by_default_and_a_pin_holds(self):
        self.stub.answer('GET', '/v1/reliability', {'owners': []})
        self.stub.answer('POST', '/v1/contracts/c-1/return', {'uuid': 'c-1'})
        self.client(marketplace=self.urls['stub']).get_reliability()
        self.client(marketplace=self.urls['stub'],
                    api_versions={'marketplace': '1.0'}).get_reliability()
        self.client(marketplace=self.urls['stub']).return_contract(
            'c-1', nodes=['n-1'])
        self.assertEqual(
            [('marketplace 1.4', None), ('marketplace 1.0', None),
             ('marketplace 1.4', {'nodes': ['n-1']})],
            [(r['version'], r['json']) for r in self.stub.requests])

    def test_statement_days_from_1_4(self):
        self.assertEqual([], self.client().get_statement()['days'])
        pinned = self.client(api_versions={'marketplace': '1.3'})
        self.assertNotIn('days', pinned.get_statement())

    def test_lifecycle_refusals_are_typed(self):
        flocx = self.client()
        error = self.assertRaises(exceptions.NotFound, flocx.return_contract,
                                  'no-such-contract')
        self.assertTrue(error.request_id.startswith('req-'))
        error = self.assertRaises(exceptions.Forbidden, flocx.create_cloud,
                                  {'name': 'c', 'keystone_url': 'https://c'})
        self.assertEqual(403, error.status)
        self.assertRaises(exceptions.BadRequest, flocx.get_statement,
                          period='december')
        old = self.client(api_versions={'marketplace': '1.0'})
        error = self.assertRaises(exceptions.NotFound, old.get_reliability)
        self.assertEqual('flocx.microversion_required', error.code)
