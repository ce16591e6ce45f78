"""``openstack market offer|bid|contract`` against the real market API."""

import uuid

import fixtures

from flocx_common import context
from tests.unit.cli import base
from tests.unit.market import base as market_base

BID = ('market', 'bid', 'create', '--start', '+2h', '--duration', '2h',
       '--price', '2.5')


class BidTest(base.CLITestCase):

    def test_create_show_list_cancel(self):
        bid = self.cli_json(
            *BID, '--quantity', '2', '--resource-class', 'baremetal',
            '--constraint', 'memory_mb>=65536',
            '--constraint', 'cpu_arch in x86_64,aarch64',
            '--constraint', 'traits has CUSTOM_GPU',
            '--latest-start', '+1d', '--decide-by', '+1h')
        self.assertEqual('open', bid['status'])
        self.assertEqual('org-b', bid['project_id'])
        self.assertEqual((2, 7200, 2.5), (bid['quantity'], bid['duration'],
                                          bid['price']))
        # What the market stored, read without the CLI.
        stored = self.org_b.get(f"/v1/bids/{bid['uuid']}").json
        self.assertEqual(
            [{'property': 'memory_mb', 'op': '>=', 'value': 65536},
             {'property': 'cpu_arch', 'op': 'in',
              'value': ['x86_64', 'aarch64']},
             {'property': 'traits', 'op': 'has', 'value': 'CUSTOM_GPU'}],
            stored['constraints'])
        self.assertIsNotNone(stored['decide_by'])
        self.assertNotEqual(stored['start_time'], stored['latest_start_time'])

        self.assertEqual(stored, self.cli_json('market', 'bid', 'show',
                                               bid['uuid']))
        table = self.cli('market', 'bid', 'show', bid['uuid'])
        self.assertIn('memory_mb >= 65536, cpu_arch in x86_64,aarch64, '
                      'traits has CUSTOM_GPU', table)

        listed = self.cli_json('market', 'bid', 'list')
        self.assertEqual([bid['uuid']], [b['UUID'] for b in listed])
        self.assertEqual(['UUID', 'Quantity', 'Resource Class', 'Start Time',
                          'Duration', 'Price', 'Status'], list(listed[0]))
        long = self.cli_json('market', 'bid', 'list', '--long')
        self.assertEqual(stored['decide_by'], long[0]['Decide By'])
        self.assertEqual(stored['constraints'], long[0]['Constraints'])
        # Sealed bids: another project sees none of them.
        self.assertEqual([], self.cli_json('market', 'bid', 'list',
                                           project='org-c'))

        self.assertEqual('', self.cli('market', 'bid', 'cancel',
                                      bid['uuid']))
        self.assertEqual('cancelled', self.org_b.get(
            f"/v1/bids/{bid['uuid']}").json['status'])
        self.assertEqual([], self.cli_json('market', 'bid', 'list',
                                           '--status', 'open'))
        self.assertEqual([bid['uuid']], self.cli(
            'market', 'bid', 'list', '--status', 'cancelled', '-f', 'value',
            '-c', 'UUID').split())

    def test_api_refusal_shows_its_detail(self):
        err = self.cli_error('market', 'bid', 'create', '--start', '+2h',
                             '--duration', '2h', '--price', '-1')
        # The price goes out exactly as written (no float: "-1", not "-1.0").
        self.assertIn('Invalid /price: -1 is less than the minimum of 0 '
                      '(HTTP 400 Bad Request, request req-', err)
        self.assertNotIn('Traceback', err)

        err = self.cli_error(*BID, '--latest-start', '+1h')
        self.assertIn('latest_start_time must not be before start_time. '
                      '(HTTP 400', err)

        err = self.cli_error('market', 'bid', 'create', '--start',
                             'next tuesday', '--duration', '1h', '--price',
                             '1')
        self.assertIn("start_time: 'next tuesday' is not an ISO 8601 time",
                      err)

    def test_not_found_and_conflict(self):
        bid = self.cli_json(*BID)
        err = self.cli_error('market', 'bid', 'show', bid['uuid'],
                             project='org-c')
        self.assertIn(f"Bid {bid['uuid']} not found. (HTTP 404 Not Found",
                      err)
        self.cli('market', 'bid', 'cancel', bid['uuid'])
        err = self.cli_error('market', 'bid', 'cancel', bid['uuid'])
        self.assertIn('(HTTP 409 Conflict', err)

    def test_bad_options_are_refused_before_any_request(self):
        err = self.cli_error('market', 'bid', 'create', '--start', '+2h',
                             '--duration', 'two hours', '--price', '1')
        self.assertIn("'two hours' is not a duration", err)
        err = self.cli_error(*BID, '--constraint', 'memory_mb ~ 4')
        self.assertIn("'memory_mb ~ 4' is not a constraint", err)
        self.assertEqual([], self.org_b.get('/v1/bids').json['bids'])

    def test_unsupported_microversion(self):
        err = self.cli_error('--os-market-api-version', '1.7', 'market',
                             'bid', 'list')
        self.assertIn('Version 1.7 is not supported: this service supports '
                      '1.0 to 1.3. (HTTP 406', err)

    def test_span_clouds(self):
        bid = self.cli_json(*BID, '--quantity', '2')
        self.assertIs(False, bid['span_clouds'])
        bid = self.cli_json(*BID, '--quantity', '2', '--span-clouds')
        self.assertIs(True, bid['span_clouds'])
        stored = self.org_b.get(f"/v1/bids/{bid['uuid']}").json
        self.assertIs(True, stored['span_clouds'])
        # A pinned older microversion: the market refuses the field.
        err = self.cli_error('--os-market-api-version', '1.1', *BID,
                             '--span-clouds')
        self.assertIn('span_clouds needs microversion 1.2', err)


class OfferTest(base.CLITestCase):

    def setUp(self):
        super().setUp()
        # Small pages, so that listing everything must follow "next" links.
        self.market.conf.set_override('default_limit', 2, group='api')

    def test_list_show_cancel(self):
        mine = self.make_offer(project='org-a', price=1.5)
        other = self.make_offer(project='org-c', resource_class='gpu')
        self.make_offer(project='org-c', price=3.0)

        listed = self.cli_json('market', 'offer', 'list')
        self.assertEqual(3, len(listed))
        self.assertEqual(
            [mine['uuid']],
            [o['UUID'] for o in self.cli_json('market', 'offer', 'list',
                                              '--project', 'org-a')])
        self.assertEqual(
            [other['uuid']],
            [o['UUID'] for o in self.cli_json(
                'market', 'offer', 'list', '--resource-class', 'gpu')])
        self.assertEqual(
            [3.0, 1.5, 1.0],
            [o['Price'] for o in self.cli_json('market', 'offer', 'list',
                                               '--sort', 'price:desc')])

        shown = self.cli_json('market', 'offer', 'show', mine['uuid'])
        self.assertEqual(mine, shown)
        self.assertEqual(65536, shown['properties']['memory_mb'])

        # Only the owner may withdraw it.
        err = self.cli_error('market', 'offer', 'cancel', mine['uuid'])
        self.assertIn('(HTTP 403 Forbidden', err)
        self.cli('market', 'offer', 'cancel', mine['uuid'], project='org-a')
        self.assertEqual('cancelled', self.service.get(
            f"/v1/offers/{mine['uuid']}").json['status'])
        self.assertEqual(2, len(self.cli_json('market', 'offer', 'list',
                                              '--status', 'open')))

    def test_limit_and_marker_give_one_page(self):
        offers = [self.make_offer(price=p) for p in (1, 2, 3, 4, 5)]
        uuids = [o['uuid'] for o in offers]
        everything = self.cli_json('market', 'offer', 'list')
        self.assertEqual(uuids, [o['UUID'] for o in everything])
        page = self.cli_json('market', 'offer', 'list', '--limit', '3')
        self.assertEqual(uuids[:3], [o['UUID'] for o in page])
        page = self.cli_json('market', 'offer', 'list', '--limit', '3',
                             '--marker', uuids[2])
        self.assertEqual(uuids[3:], [o['UUID'] for o in page])

    def test_bad_filter_value(self):
        err = self.cli_error('market', 'offer', 'list', '--sort', 'colour')
        self.assertIn('sort_key must be one of created_at, end_time, price, '
                      'start_time, updated_at. (HTTP 400', err)
        # An ID with / and ? stays one path segment.
        err = self.cli_error('market', 'offer', 'show', 'no/such?thing')
        self.assertIn('not found. (HTTP 404 Not Found', err)
        self.assertIn('Offer no', err)


class ContractTest(base.CLITestCase):

    def test_list_show(self):
        offer = self.make_offer(project='org-a', price=1.0)
        bid = self.org_b.post('/v1/bids', market_base.bid_body(
            price=2.0, duration=3600)).json
        award = {'uuid': str(uuid.uuid4()), 'bid_uuid': bid['uuid'],
                 'start_time': bid['start_time'],
                 'end_time': market_base.iso(market_base.hours_from_now(3)),
                 'price': 1.5,
                 'nodes': [{'offer_uuid': offer['uuid'], 'price': 1.0}]}
        # What the auction engine does at the end of a round.
        ctx = context.get_admin_context(self.market.services.enforcer)
        round_id = str(uuid.uuid4())
        result = self.market.services.market.commit_awards(ctx, round_id,
                                                           [award])
        self.assertEqual([], result['refused'])

        for project in ('org-b', 'org-a'):  # renter and owner
            listed = self.cli_json('market', 'contract', 'list',
                                   project=project)
            self.assertEqual([award['uuid']], [c['UUID'] for c in listed])
        self.assertEqual([], self.cli_json('market', 'contract', 'list',
                                           project='org-c'))
        self.assertEqual([], self.cli_json('market', 'contract', 'list',
                                           '--status', 'completed'))
        self.assertEqual(1, len(self.cli_json('market', 'contract', 'list',
                                              '--bid', bid['uuid'])))

        contract = self.cli_json('market', 'contract', 'show', award['uuid'])
        self.assertEqual(('scheduled', bid['uuid'], round_id,
                          [offer['uuid']]),
                         (contract['status'], contract['bid_uuid'],
                          contract['round_id'], contract['offer_uuids']))
        self.assertEqual('org-a', contract['nodes'][0]['owner_project_id'])
        table = self.cli('market', 'contract', 'show', award['uuid'])
        self.assertIn(f"offer_uuid='{offer['uuid']}'", table)


class EventTest(base.CLITestCase):

    def test_list_follows_the_feed(self):
        bids = [self.cli_json(*BID, '--resource-class', 'baremetal',
                              project='org-b') for _ in range(3)]
        self.cli('market', 'bid', 'cancel', bids[0]['uuid'], project='org-b')

        events = self.cli_json('market', 'event', 'list', project='org-b')
        self.assertEqual(
            [('bid.create', bids[0]['uuid']), ('bid.create', bids[1]['uuid']),
             ('bid.create', bids[2]['uuid']), ('bid.cancel', bids[0]['uuid'])],
            [(e['Event Type'], e['Object UUID']) for e in events])
        # Sealed bids: another project sees none of it.
        self.assertEqual([], self.cli_json('market', 'event', 'list',
                                           project='org-c'))

        since = self.cli_json('market', 'event', 'list', '--since',
                              str(events[1]['ID']), project='org-b')
        self.assertEqual([e['ID'] for e in events[2:]],
                         [e['ID'] for e in since])
        mine = self.cli_json('market', 'event', 'list', '--object',
                             bids[0]['uuid'], project='org-b')
        self.assertEqual(['bid.create', 'bid.cancel'],
                         [e['Event Type'] for e in mine])
        self.assertEqual({'status': 'open'}, mine[0]['Detail'])
        self.assertIn('cancelled by', self.cli(
            'market', 'event', 'list', '--object', bids[0]['uuid'],
            project='org-b'))
        self.assertEqual(events[:2], self.cli_json(
            'market', 'event', 'list', '--limit', '2', project='org-b'))

    def test_every_page_is_read(self):
        for _ in range(5):
            self.cli_json(*BID, project='org-b')
        self.useFixture(fixtures.MockPatch('flocxclient.client.EVENT_PAGE', 2))
        events = self.cli_json('market', 'event', 'list', project='org-b')
        self.assertEqual(5, len(events))
        self.assertEqual(sorted(e['ID'] for e in events),
                         [e['ID'] for e in events])
