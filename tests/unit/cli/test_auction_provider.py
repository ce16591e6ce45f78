"""``offer create`` (provider API), ``round`` and ``price`` (auction API)."""

import datetime
import json
import uuid

from oslo_utils import timeutils

from tests.unit.cli import base
from tests.unit.market import base as market_base


class ProviderOfferTest(base.CLITestCase):

    def test_offer_create_publishes_to_the_market(self):
        node = self.provider.ironic.add_node('org-a', name='a-node-0')
        offer = self.cli_json('market', 'offer', 'create', '--node',
                              'a-node-0', '--start', '+10m', '--end', '+3d',
                              '--price', '1.25', project='org-a')
        self.assertEqual(('org-a', node.id, 'open', 1.25),
                         (offer['project_id'], offer['node_uuid'],
                          offer['status'], offer['price']))
        # "+3d" went out as an absolute UTC time three days from now.
        end = datetime.datetime.fromisoformat(offer['end_time'])
        in_three_days = (datetime.datetime.now(datetime.timezone.utc) +
                         datetime.timedelta(days=3))
        self.assertLess(abs((end - in_three_days).total_seconds()), 60)

        # Published: everybody sees it on the market, under the uuid the
        # owner was given (one identity, whichever API is asked).
        listed = self.cli_json('market', 'offer', 'list', project='org-c')
        self.assertEqual([offer['uuid']], [o['UUID'] for o in listed])
        shown = self.cli_json('market', 'offer', 'show', offer['uuid'])
        self.assertEqual(('provider-1', node.id),
                         (shown['provider'], shown['resource_uuid']))
        mine = self.cli_json('market', 'provider', 'offer', 'list',
                             '--long', project='org-a')
        self.assertEqual([(offer['uuid'], offer['uuid'], 'open')],
                         [(o['UUID'], o['Market Offer UUID'], o['Status'])
                          for o in mine])
        self.assertEqual(offer, self.cli_json(
            'market', 'provider', 'offer', 'show', offer['uuid'],
            project='org-a'))

        # Cancelled with the uuid it was created under, through the market.
        self.assertEqual('', self.cli('market', 'offer', 'cancel',
                                      offer['uuid'], project='org-a'))
        self.assertEqual('cancelled', self.cli_json(
            'market', 'offer', 'show', offer['uuid'],
            project='org-a')['status'])

    def test_provider_offer_cancel_several(self):
        self.provider.ironic.add_node('org-a', name='a-node-0')
        self.provider.ironic.add_node('org-a', name='a-node-1')
        offers = [self.cli_json('market', 'offer', 'create', '--node', name,
                                '--start', '+10m', '--end', '+1d',
                                '--price', '1', project='org-a')
                  for name in ('a-node-0', 'a-node-1')]
        code, out, err = self.run_cli(
            'market', 'provider', 'offer', 'cancel', offers[0]['uuid'],
            'no-such-offer', offers[1]['uuid'], project='org-a')
        # Each is tried; the one failure is reported on one line, and the
        # command fails.
        self.assertEqual(1, code)
        self.assertIn('Offer no-such-offer: ', err)
        self.assertIn('(HTTP 404 Not Found, request req-', err)
        self.assertIn('1 of 3 offers could not be cancelled.', err)
        self.assertEqual(
            ['cancelled', 'cancelled'],
            [self.cli_json('market', 'provider', 'offer', 'show', o['uuid'],
                           project='org-a')['status'] for o in offers])

    def test_offer_publish_straight_to_the_market(self):
        resource = str(uuid.uuid4())
        offer = self.cli_json(
            'market', 'offer', 'publish', '--project', 'org-c',
            '--resource-uuid', resource, '--resource-class', 'baremetal',
            '--property', 'cpus=8', '--property', 'cpu_arch=x86_64',
            '--property', 'traits=CUSTOM_A,CUSTOM_B', '--start', '+1h',
            '--end', '+2h', '--price', '0.30', project='service',
            roles='service')
        self.assertEqual(('org-c', resource, 0.3, 'open'),
                         (offer['project_id'], offer['resource_uuid'],
                          offer['price'], offer['status']))
        # (The market adds the cloud the node lives in.)
        self.assertEqual({'cpus': 8, 'cpu_arch': 'x86_64',
                          'traits': ['CUSTOM_A', 'CUSTOM_B'],
                          'cloud': 'home'},
                         offer['properties'])
        # Owners offer through their provider: the market refuses them.
        err = self.cli_error(
            'market', 'offer', 'publish', '--project', 'org-b',
            '--resource-uuid', resource, '--resource-class', 'baremetal',
            '--start', '+3h', '--end', '+4h', '--price', '1')
        self.assertIn('(HTTP 403 Forbidden, request req-', err)

    def test_provider_refusal_shows_its_detail(self):
        self.provider.ironic.add_node('org-a', name='a-node-0')
        err = self.cli_error('market', 'offer', 'create', '--node',
                             'a-node-0', '--start', '+10m', '--end', '+1d',
                             '--price', '1', project='org-c')
        self.assertIn('a-node-0', err)
        self.assertIn('(HTTP 404 Not Found, request req-', err)
        err = self.cli_error('market', 'offer', 'create', '--node',
                             'a-node-0', '--start', '+1d', '--end', '+10m',
                             '--price', '1', project='org-a')
        self.assertIn('end_time must be after start_time. (HTTP 400', err)

    def test_answer_that_is_not_json(self):
        # e.g. a proxy in front of a provider API that is down.
        self.use_endpoints(provider='stub')
        self.stub.answer('POST', '/v1/offers', None, status=502)
        err = self.cli_error('market', 'offer', 'create', '--node', 'n',
                             '--start', '+1h', '--end', '+2d', '--price', '1')
        self.assertIn('(HTTP 502 Bad Gateway)', err)
        self.assertEqual('provider 1.0', self.stub.requests[0]['version'])


class AuctionTest(base.CLITestCase):

    def record_round(self, minutes_ago, prices):
        finished = (timeutils.utcnow() -
                    datetime.timedelta(minutes=minutes_ago))
        return self.market.db.record_round({
            'uuid': str(uuid.uuid4()), 'host': 'engine-1',
            'mechanism': 'welfare',
            'started_at': finished - datetime.timedelta(seconds=1),
            'finished_at': finished, 'offers_in': 4, 'bids_in': 3,
            'contract_uuids': [], 'refused': [], 'rejected': [],
            'welfare': 12.5, 'clearing_prices': prices, 'duration_ms': 3.2,
            'stats': {}})

    def test_round_list_follows_pages_and_show(self):
        self.auction_conf.set_override('default_limit', 2, group='api')
        rounds = [self.record_round(10 - i, {'baremetal': 1.0 + i})
                  for i in range(5)]
        newest_first = [r['id'] for r in reversed(rounds)]
        listed = self.cli_json('market', 'round', 'list')
        self.assertEqual(newest_first, [r['ID'] for r in listed])
        self.assertEqual({'baremetal': 5.0}, listed[0]['Clearing Prices'])
        page = self.cli_json('market', 'round', 'list', '--limit', '2',
                             '--marker', newest_first[1])
        self.assertEqual(newest_first[2:4], [r['ID'] for r in page])

        shown = self.cli_json('market', 'round', 'show', rounds[0]['id'])
        self.assertEqual((4, 3, 0), (shown['offers_in'], shown['bids_in'],
                                     shown['contracts']))
        table = self.cli('market', 'round', 'show', rounds[0]['id'])
        self.assertIn('baremetal=1.0', table)

    def test_round_show_unknown(self):
        err = self.cli_error('market', 'round', 'show', 'no-such-round')
        self.assertIn('Round no-such-round not found. (HTTP 404', err)

    def test_round_start(self):
        # Clearing needs the leading auction engine, which is not running
        # here: the stub answers as the auction API would after a round.
        self.use_endpoints(auction='stub')
        round_ = {'id': 'r-1', 'contracts': 2, 'bids_in': 3,
                  'clearing_prices': {}}
        self.stub.answer('POST', '/v1/rounds', round_, status=201)
        code, out, err = self.run_cli('market', 'round', 'start', '-f',
                                      'json', project='admin', roles='admin')
        self.assertEqual((0, ''), (code, err))
        self.assertEqual(round_, json.loads(out))
        request, = self.stub.requests
        self.assertEqual(('POST', '/v1/rounds', 'auction 1.0', 'admin:admin'),
                         (request['method'], request['path'],
                          request['version'], request['token']))

    def test_round_start_says_the_periodic_round_took_the_bids(self):
        # issue 10: "bids_in 0" right after a bid, and nothing said.
        self.use_endpoints(auction='stub')
        empty = {'id': 'r-2', 'offers_in': 0, 'bids_in': 0, 'contracts': 0,
                 'clearing_prices': {}}
        periodic = {'id': 'r-1', 'offers_in': 2, 'bids_in': 1,
                    'contracts': 1, 'started_at': market_base.iso(
                        timeutils.utcnow() - datetime.timedelta(seconds=20))}
        self.stub.answer('POST', '/v1/rounds', empty, status=201)
        self.stub.answer('GET', '/v1/rounds', {'rounds': [empty, periodic]})
        code, out, err = self.run_cli('market', 'round', 'start', '-f',
                                      'json', project='admin', roles='admin')
        self.assertEqual(0, code, err)
        self.assertEqual(empty, json.loads(out))  # stdout stays JSON
        self.assertRegex(err, r'No bid was waiting: the periodic round r-1 '
                              r'\d+ s ago already took 1 bid\(s\) and 2 '
                              r'offer\(s\) \(openstack market round show '
                              r'r-1\)')
        # Nothing before it either: said plainly.
        self.stub.answer('GET', '/v1/rounds', {'rounds': [empty]})
        code, out, err = self.run_cli('market', 'round', 'start',
                                      project='admin', roles='admin')
        self.assertIn('No bid was waiting for this round.', err)

    def test_round_start_is_for_admins(self):
        err = self.cli_error('market', 'round', 'start')
        self.assertIn('(HTTP 403 Forbidden', err)

    def test_price_list_and_depth(self):
        self.record_round(30, {'baremetal': 1.5, 'gpu': 9.0})
        latest = self.record_round(5, {'baremetal': 1.75})
        self.service.post('/v1/offers', market_base.offer_body(price=1.25))
        self.org_b.post('/v1/bids', market_base.bid_body(quantity=3))

        prices = self.cli_json('market', 'price', 'list')
        self.assertEqual([('baremetal', 1.5), ('gpu', 9.0),
                          ('baremetal', 1.75)],
                         [(p['Resource Class'], p['Price']) for p in prices])
        prices = self.cli_json('market', 'price', 'list', '--resource-class',
                               'baremetal', '--since', '+1h')
        self.assertEqual([], prices)
        prices = self.cli_json('market', 'price', 'list', '--resource-class',
                               'baremetal', '--since', latest['started_at'])
        self.assertEqual([(latest['id'], 1.75)],
                         [(p['Round ID'], p['Price']) for p in prices])

        depth = self.cli_json('market', 'price', 'list', '--depth')
        self.assertEqual([{'Resource Class': 'baremetal', 'Offers': 1,
                           'Nodes On Offer': 1, 'Lowest Ask': 1.25,
                           'Bids': 1, 'Nodes Wanted': 3}], depth)
