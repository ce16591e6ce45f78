"""Commands for the auction and provider APIs, against a recording stub.

Those APIs are not written yet; these tests pin what the CLI sends (path,
body, microversion header, token) and how it shows the documented answers.
"""

import datetime

from tests.unit.cli import base

ROUND = {'id': '0b7f6a2e-8c1d-4f4e-9a51-3d2f0c6b9e11',
         'started_at': '2030-01-01T10:00:00+00:00',
         'finished_at': '2030-01-01T10:00:01+00:00', 'mechanism': 'welfare',
         'offers_in': 4, 'bids_in': 3, 'contracts': 2,
         'contract_uuids': ['c1', 'c2'], 'refused': [], 'rejected': ['b3'],
         'welfare': 12.5, 'clearing_prices': {'baremetal': 1.75},
         'duration_ms': 3.2, 'status': 'finished'}


class ProviderOfferTest(base.CLITestCase):

    def test_offer_create_goes_to_the_provider(self):
        offer = {'uuid': 'p-1', 'project_id': 'org-a', 'node_uuid': 'n-1',
                 'market_offer_uuid': 'm-1', 'status': 'open',
                 'price': 1.25, 'resource_class': 'baremetal',
                 'properties': {'cpus': 8, 'memory_mb': 16384}}
        self.stub.answer('POST', '/v1/offers', offer, status=201)
        shown = self.cli_json('market', 'offer', 'create', '--node', 'node-7',
                              '--start', '2030-01-01T00:00Z', '--end', '+3d',
                              '--price', '1.25', project='org-a',
                              roles='member')
        self.assertEqual(offer, shown)
        request, = self.stub.requests
        self.assertEqual('provider 1.0', request['version'])
        self.assertEqual('org-a:member', request['token'])
        body = request['json']
        self.assertEqual({'node': 'node-7', 'start_time': '2030-01-01T00:00Z',
                          'price': 1.25}, {k: body[k] for k in
                                           ('node', 'start_time', 'price')})
        # "+3d" is sent as an absolute UTC time three days from now.
        end = datetime.datetime.strptime(body['end_time'],
                                         '%Y-%m-%dT%H:%M:%SZ')
        in_three_days = datetime.datetime.utcnow() + datetime.timedelta(3)
        self.assertLess(abs((end - in_three_days).total_seconds()), 60)

    def test_provider_refusal(self):
        self.stub.answer('POST', '/v1/offers', {'errors': [{
            'status': 409, 'title': 'Conflict', 'code': 'flocx.conflict',
            'request_id': 'req-42',
            'detail': 'Node node-7 is already offered from 2030-01-01.'}]},
            status=409)
        err = self.cli_error('market', 'offer', 'create', '--node', 'node-7',
                             '--start', '+1h', '--end', '+2d', '--price', '1')
        self.assertIn('Node node-7 is already offered from 2030-01-01. '
                      '(HTTP 409 Conflict, request req-42)', err)

    def test_not_json_error(self):
        # e.g. a proxy in front of the API that is down.
        self.stub.answer('POST', '/v1/offers', None, status=502)
        err = self.cli_error('market', 'offer', 'create', '--node', 'n',
                             '--start', '+1h', '--end', '+2d', '--price', '1')
        self.assertIn('(HTTP 502 Bad Gateway)', err)


class AuctionTest(base.CLITestCase):

    def test_round_list_show_start(self):
        self.stub.answer('GET', '/v1/rounds', {'rounds': [ROUND]})
        self.stub.answer('GET', f"/v1/rounds/{ROUND['id']}", ROUND)
        self.stub.answer('POST', '/v1/rounds', ROUND, status=201)

        listed = self.cli_json('market', 'round', 'list', '--limit', '5')
        self.assertEqual([{k: ROUND[k] for k in (
            'id', 'started_at', 'mechanism', 'offers_in', 'bids_in',
            'contracts', 'welfare', 'status')}], listed)
        self.assertEqual({'limit': '5'}, self.stub.requests[-1]['query'])
        self.assertEqual('auction 1.0', self.stub.requests[-1]['version'])

        self.assertEqual(ROUND, self.cli_json('market', 'round', 'show',
                                              ROUND['id']))
        table = self.cli('market', 'round', 'show', ROUND['id'])
        self.assertIn("baremetal='1.75'", table)

        started = self.cli_json('market', 'round', 'start', project='admin',
                                roles='admin')
        self.assertEqual(ROUND['id'], started['id'])
        self.assertEqual(('POST', 'admin:admin'),
                         (self.stub.requests[-1]['method'],
                          self.stub.requests[-1]['token']))

    def test_price_list_and_depth(self):
        self.stub.answer('GET', '/v1/prices', {
            'prices': [{'resource_class': 'baremetal', 'round_id': 'r1',
                        'time': '2030-01-01T10:00:01+00:00', 'price': 1.75}],
            'depth': [{'resource_class': 'baremetal', 'offers': 4,
                       'nodes_on_offer': 4, 'lowest_ask': 1.0, 'bids': 2,
                       'nodes_wanted': 3}]})
        prices = self.cli_json('market', 'price', 'list', '--resource-class',
                               'baremetal', '--since', '2030-01-01T00:00Z')
        self.assertEqual([{'resource_class': 'baremetal', 'round_id': 'r1',
                           'time': '2030-01-01T10:00:01+00:00',
                           'price': 1.75}], prices)
        self.assertEqual({'resource_class': 'baremetal',
                          'since': '2030-01-01T00:00Z'},
                         self.stub.requests[-1]['query'])
        depth = self.cli_json('market', 'price', 'list', '--depth')
        self.assertEqual(1.0, depth[0]['lowest_ask'])
        self.assertEqual(3, depth[0]['nodes_wanted'])
        self.assertEqual({}, self.stub.requests[-1]['query'])
