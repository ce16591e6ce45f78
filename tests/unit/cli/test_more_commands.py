"""Leases, auction status and mechanism, versions, --wait, --long and the
table formatting of nested fields."""

import datetime

import fixtures
import testtools

from tests.unit.cli import base

from flocx_cli import bids
from flocx_cli import common
from flocx_cli import contracts


class LeaseTest(base.CLITestCase):

    def test_create_list_show_cancel(self):
        node = self.provider.ironic.add_node('org-a', name='a-node-0')
        manager = dict(project='org-a', roles='manager,member,reader')
        lease = self.cli_json('market', 'lease', 'create', '--node',
                              'a-node-0', '--lessee', 'org-a-dev', '--start',
                              '+1h', '--end', '+1d', **manager)
        self.assertEqual((node.id, 'org-a-dev', 'scheduled'),
                         (lease['node_uuid'], lease['lessee_project_id'],
                          lease['status']))
        listed = self.cli_json('market', 'lease', 'list', '--long',
                               **manager)
        self.assertEqual([(lease['uuid'], 'org-a-dev')],
                         [(le['UUID'], le['Lessee Project ID'])
                          for le in listed])
        self.assertIn('Status Reason', listed[0])
        self.assertEqual([], self.cli_json(
            'market', 'lease', 'list', '--starts-after', '+2h', **manager))
        shown = self.cli_json('market', 'lease', 'show', lease['uuid'],
                              **manager)
        self.assertEqual(lease, {k: shown[k] for k in lease})
        self.assertEqual('', self.cli('market', 'lease', 'cancel',
                                      lease['uuid'], **manager))
        self.assertEqual('cancelled', self.cli_json(
            'market', 'lease', 'show', lease['uuid'], **manager)['status'])

    def test_refused_outside_the_organization(self):
        self.provider.ironic.add_node('org-a', name='a-node-0')
        err = self.cli_error('market', 'lease', 'create', '--node',
                             'a-node-0', '--lessee', 'org-b', '--start',
                             '+1h', '--end', '+1d', project='org-a',
                             roles='manager,member,reader')
        self.assertIn('is not a child project of org-a', err)
        self.assertIn('(HTTP 403 Forbidden, request req-', err)
        self.assertEqual(1, len(err.strip().splitlines()), err)


class AuctionInfoTest(base.CLITestCase):

    def test_mechanism(self):
        mechanism = self.cli_json('market', 'auction', 'mechanism', 'show')
        self.assertEqual(mechanism['name'], self.auction_conf.auction.mechanism)
        self.assertIn('fcfs', [m['name'] for m in mechanism['available']])
        table = self.cli('market', 'auction', 'mechanism', 'show')
        self.assertRegex(table, r'mcafee: \w')

    def test_status(self):
        # The status comes from the leading engine: the stub stands in.
        self.use_endpoints(auction='stub')
        status = {'leader': True, 'mechanism': 'welfare',
                  'round_interval': 60.0, 'answer_before_start': 43200.0,
                  'book': {'offers': 1, 'bids': 0}, 'last_round': None}
        self.stub.answer('GET', '/v1/status', status)
        self.assertEqual(status, self.cli_json('market', 'auction', 'show'))
        table = self.cli('market', 'auction', 'show')
        self.assertIn('bids=0, offers=1', table)

    def test_versions(self):
        versions = self.cli_json('market', 'version', 'list')
        self.assertEqual(
            [('marketplace', 'v1', '1.0', '1.3'), ('auction', 'v1', '1.0',
                                                   '1.0'),
             ('provider', 'v1', '1.0', '1.0')],
            [(v['Service Type'], v['ID'], v['Min Version'], v['Max Version'])
             for v in versions])
        only = self.cli_json('market', 'version', 'list', '--service',
                             'auction')
        self.assertEqual(['auction'], [v['Service Type'] for v in only])


class FormattingTest(base.CLITestCase):

    def test_no_empty_fields_in_tables(self):
        # issue 10: osc_lib printed "bids='0', , due='0'" and "reason=,".
        column = common.DictColumn({'bids': 0, 'phases': {}, 'due': 0,
                                    'reason': None, 'nested': {'a': 1},
                                    'list': [1, 2]})
        self.assertEqual('bids=0, due=0, list=1,2, nested.a=1',
                         column.human_readable())
        self.assertEqual({'bids': 0, 'phases': {}, 'due': 0, 'reason': None,
                          'nested': {'a': 1}, 'list': [1, 2]},
                         column.machine_readable())

    def test_long_adds_columns(self):
        self.make_offer(project='org-a')
        short = self.cli_json('market', 'offer', 'list')
        long = self.cli_json('market', 'offer', 'list', '--long')
        self.assertEqual(['UUID', 'Project ID', 'Resource Class',
                          'Start Time', 'End Time', 'Price', 'Status'],
                         list(short[0]))
        self.assertEqual(list(short[0]) + [
            'Resource UUID', 'Provider', 'Properties', 'Status Reason',
            'Created At', 'Updated At'], list(long[0]))

    def test_decide_by_help_states_the_real_default(self):
        out = self.cli('market', 'bid', 'create', '--help')
        self.assertIn('answer_before_start', out)
        self.assertIn('12 h', out)

    def test_time_filters_reach_the_api(self):
        early = self.make_offer(start=1)
        self.make_offer(start=30)
        listed = self.cli_json('market', 'offer', 'list', '--starts-before',
                               '+2h')
        self.assertEqual([early['uuid']], [o['UUID'] for o in listed])


class WaitTest(base.CLITestCase):

    def test_wait_until_decided(self):
        answers = iter(['open', 'open', 'contracted'])
        asked = []

        class Flocx:
            def get_bid(self, uuid):
                asked.append(uuid)
                return {'uuid': uuid, 'status': next(answers),
                        'decide_by': None}

        bid = {'uuid': 'b-1', 'status': 'open', 'decide_by': None}
        decided = bids.wait_for_decision(Flocx(), bid, interval=0.01,
                                         sleep=lambda s: None)
        self.assertEqual('contracted', decided['status'])
        self.assertEqual(['b-1'] * 3, asked)

    def test_wait_gives_up_well_after_decide_by(self):
        past = (datetime.datetime.now(datetime.timezone.utc) -
                datetime.timedelta(hours=1)).isoformat()
        now = [0.0]

        class Flocx:
            def get_bid(self, uuid):
                return {'uuid': uuid, 'status': 'open', 'decide_by': past}

        def sleep(seconds):
            now[0] += seconds

        error = self.assertRaises(
            Exception, bids.wait_for_decision, Flocx(),
            {'uuid': 'b-1', 'status': 'open', 'decide_by': past},
            interval=60, clock=lambda: now[0], sleep=sleep)
        self.assertIn('still open 5 minutes after its decide_by', str(error))

    def test_wait_through_the_cli_on_a_bid_the_market_expires(self):
        # A bid whose decide_by passes: the market expires it (what its
        # manager does periodically), and --wait returns it expired.
        self.useFixture(fixtures.MockPatch(
            'flocx_cli.bids.WAIT_INTERVAL', 0.05))
        db = self.market.db
        real_get = db.get_bid
        calls = []

        def get_bid(uuid, *args, **kwargs):
            calls.append(uuid)
            if len(calls) == 2:
                db.expire_orders(datetime.datetime(2100, 1, 1))
            return real_get(uuid, *args, **kwargs)

        self.useFixture(fixtures.MockPatchObject(
            db, 'get_bid', get_bid))
        bid = self.cli_json('market', 'bid', 'create', '--start', '+2h',
                            '--duration', '1h', '--price', '1', '--wait')
        self.assertEqual('expired', bid['status'])


class ReturnWaitTest(testtools.TestCase):

    def test_gives_up_when_no_provider_takes_the_node_back(self):
        now = [0.0]

        def sleep(seconds):
            now[0] += seconds

        lent = {'uuid': 'c-1', 'nodes': [
            {'resource_uuid': 'n-1', 'end_kind': 'returned',
             'lent_at': '2030-01-01T00:00:00+00:00', 'reclaimed_at': None},
            {'resource_uuid': 'n-2', 'end_kind': None,
             'lent_at': '2030-01-01T00:00:00+00:00', 'reclaimed_at': None}]}

        class Flocx:
            def get_contract(self, uuid):
                return lent

        error = self.assertRaises(
            Exception, contracts.wait_for_reclaim, Flocx(), lent,
            interval=60, timeout=600, clock=lambda: now[0], sleep=sleep)
        self.assertIn('node(s) n-1 not taken back by their provider 10 '
                      'minutes after the return', str(error))
        # Only the returned nodes are waited for.
        self.assertEqual(lent, contracts.wait_for_reclaim(
            Flocx(), lent, nodes=['n-2'], sleep=sleep))
