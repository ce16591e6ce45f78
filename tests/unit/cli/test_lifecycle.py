"""``openstack market contract return|extend|revoke|access show``, ``offer
withdraw|availability show``, ``statement show`` and ``reliability list``
against the real market API (microversion 1.1)."""

import csv
import datetime
import io
import uuid

import fixtures
from oslo_utils import timeutils
import yaml

from flocx_common import context
from tests.unit.cli import base
from tests.unit.market import base as market_base

MINUTE = datetime.timedelta(minutes=1)


class LifecycleCLITestCase(base.CLITestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(timeutils.clear_time_override)

    def make_contract(self, nodes=1, live=False, offers=None, hours=1):
        """An org-b contract on org-a's node(s), written as the auction
        engine writes it. ``live``: started and lent 1 min after its start,
        the market's clock then 10 min after the start."""
        offers = offers or [self.make_offer(project='org-a', price=1.0)
                            for _ in range(nodes)]
        bid = self.org_b.post('/v1/bids', market_base.bid_body(
            quantity=len(offers), price=2.0, duration=hours * 3600)).json
        start = market_base.parse(bid['start_time'])
        award = {'uuid': str(uuid.uuid4()), 'bid_uuid': bid['uuid'],
                 'start_time': bid['start_time'],
                 'end_time': market_base.iso(
                     start + datetime.timedelta(hours=hours)),
                 'price': 2.0,
                 'nodes': [{'offer_uuid': o['uuid'], 'price': 1.0}
                           for o in offers]}
        ctx = context.get_admin_context(self.market.services.enforcer)
        result = self.market.services.market.commit_awards(
            ctx, 'round-1', [award])
        self.assertEqual([], result['refused'])
        db = self.market.db
        if live:
            timeutils.set_time_override(start + MINUTE)
            for node in db.get_contract(award['uuid'])['nodes']:
                db.record_delivery(award['uuid'], node['resource_uuid'],
                                   lent_at=start + MINUTE)
            db.update_contract_status(award['uuid'], 'active')
            timeutils.set_time_override(start + 10 * MINUTE)
        return db.get_contract(award['uuid']), start

    def assertOneLine(self, err, status):
        """A refusal: one line with the HTTP status and the request id."""
        self.assertRegex(err, rf'\(HTTP {status} [A-Za-z ]+, request '
                              r'req-[0-9a-f-]+\)')
        self.assertEqual(1, len(err.strip().splitlines()), err)
        self.assertNotIn('Traceback', err)


class ReturnTest(LifecycleCLITestCase):

    def test_return_some_then_the_rest_and_wait_for_the_provider(self):
        contract, _ = self.make_contract(nodes=2, live=True)
        first, second = [n['resource_uuid'] for n in contract['nodes']]
        returned = self.cli_json('market', 'contract', 'return',
                                 contract['uuid'], '--node', first)
        self.assertEqual('active', returned['status'])
        by_node = {n['resource_uuid']: n for n in returned['nodes']}
        self.assertEqual(('returned', None), (by_node[first]['end_kind'],
                                              by_node[second]['end_kind']))
        self.assertIsNotNone(by_node[first]['ended_at'])
        # What the market stored, read without the CLI.
        stored = self.org_b.get(f"/v1/contracts/{contract['uuid']}").json
        self.assertEqual('returned', {n['resource_uuid']: n for n in
                                      stored['nodes']}[first]['end_kind'])

        # The rest, waiting until the provider has taken the node back:
        # its sweep (record_delivery with reclaimed_at) runs while the CLI
        # waits.
        swept = []

        def provider_sweep(seconds):
            swept.append(seconds)
            for node in self.market.db.get_contract(
                    contract['uuid'])['nodes']:
                if node['ended_at'] and not node['reclaimed_at']:
                    self.market.db.record_delivery(
                        contract['uuid'], node['resource_uuid'],
                        reclaimed_at=timeutils.utcnow())

        self.useFixture(fixtures.MockPatch('flocx_cli.contracts._sleep',
                                           provider_sweep))
        done = self.cli_json('market', 'contract', 'return',
                             contract['uuid'], '--wait')
        self.assertEqual(1, len(swept))
        self.assertEqual('completed', done['status'])
        self.assertEqual(['returned', 'returned'],
                         [n['end_kind'] for n in done['nodes']])
        self.assertTrue(all(n['reclaimed_at'] for n in done['nodes']))

        # Nothing left to return: a 409, one line.
        err = self.cli_error('market', 'contract', 'return',
                             contract['uuid'])
        self.assertOneLine(err, 409)

    def test_return_before_the_start_cancels_it_without_waiting(self):
        contract, _ = self.make_contract()
        self.useFixture(fixtures.MockPatch(
            'flocx_cli.contracts._sleep',
            side_effect=AssertionError('nothing to wait for')))
        done = self.cli_json('market', 'contract', 'return',
                             contract['uuid'], '--wait')
        self.assertEqual(('cancelled', 0.0), (done['status'], done['cost']))

    def test_only_the_renter_returns(self):
        contract, _ = self.make_contract(live=True)
        err = self.cli_error('market', 'contract', 'return',
                             contract['uuid'], project='org-a')
        self.assertOneLine(err, 403)
        err = self.cli_error('market', 'contract', 'return',
                             contract['uuid'], project='org-c')
        self.assertIn(f"Contract {contract['uuid']} not found.", err)
        self.assertOneLine(err, 404)
        self.assertEqual('active', self.market.db.get_contract(
            contract['uuid'])['status'])

    def test_pinned_to_1_0_the_market_names_the_microversion(self):
        contract, _ = self.make_contract(live=True)
        err = self.cli_error('--os-market-api-version', '1.0', 'market',
                             'contract', 'return', contract['uuid'])
        self.assertIn('Returning needs microversion 1.1 or later', err)
        self.assertOneLine(err, 404)


class ExtendRevokeTest(LifecycleCLITestCase):

    def test_extend(self):
        contract, start = self.make_contract(live=True)
        # Two hours later than planned (the CLI's clock is the real one:
        # the market's is 10 minutes after the start, 2 h from now).
        extended = self.cli_json('market', 'contract', 'extend',
                                 contract['uuid'], '--end', '+5h')
        end = market_base.parse(extended['end_time'])
        self.assertGreater(end, market_base.parse(contract['end_time']) +
                           datetime.timedelta(minutes=110))
        self.assertEqual(end, market_base.parse(self.org_b.get(
            f"/v1/contracts/{contract['uuid']}").json['end_time']))
        # The owner may not extend the renter's contract.
        err = self.cli_error('market', 'contract', 'extend',
                             contract['uuid'], '--end', '+6h',
                             project='org-a')
        self.assertOneLine(err, 403)

    def test_extend_past_the_offer_is_refused_with_the_reason(self):
        offer = self.make_offer(project='org-a', price=1.0, start=1, end=4)
        contract, _ = self.make_contract(offers=[offer], live=True)
        err = self.cli_error('market', 'contract', 'extend',
                             contract['uuid'], '--end', '+6h')
        self.assertIn('offers it only until', err)
        self.assertOneLine(err, 409)

    def test_owner_revokes_and_the_record_shows_it(self):
        contract, _ = self.make_contract(live=True)
        err = self.cli_error('market', 'contract', 'revoke',
                             contract['uuid'], '--reason', 'mine now')
        self.assertOneLine(err, 403)  # the renter may not
        revoked = self.cli_json('market', 'contract', 'revoke',
                                contract['uuid'], '--reason', 'disk failed',
                                project='org-a')
        self.assertEqual(('revoked', 'disk failed'),
                         (revoked['status'], revoked['status_reason']))
        self.assertNotIn('price', revoked)  # the owner's sealed view
        events = self.org_b.get(
            f"/v1/events?object_uuid={contract['uuid']}").json['events']
        self.assertIn('disk failed', [e['detail'].get('reason')
                                      for e in events
                                      if e['event_type'] == 'contract.revoke'])
        err = self.cli_error('market', 'contract', 'revoke',
                             contract['uuid'], '--reason', 'again',
                             project='org-a')
        self.assertOneLine(err, 409)

        owners = self.cli_json('market', 'reliability', 'list',
                               project='org-c')
        self.assertEqual([{'Owner Project ID': 'org-a', 'Contracts': 1,
                           'Revocations': 1}], owners)
        self.assertEqual(owners, self.cli_json(
            'market', 'reliability', 'list', '--owner', 'org-a',
            project='org-c'))
        self.assertEqual([], self.cli_json(
            'market', 'reliability', 'list', '--owner', 'org-z',
            project='org-c'))

    def test_market_admin_revokes_some_nodes(self):
        contract, _ = self.make_contract(nodes=2, live=True)
        first = contract['nodes'][0]['resource_uuid']
        revoked = self.cli_json('market', 'contract', 'revoke',
                                contract['uuid'], '--reason', 'maintenance',
                                '--node', first, project='',
                                roles='admin,member,reader')
        self.assertEqual('active', revoked['status'])
        self.assertEqual({first: 'revoked'},
                         {n['resource_uuid']: n['end_kind']
                          for n in revoked['nodes'] if n['end_kind']})


class AccessTest(LifecycleCLITestCase):

    def test_only_the_renter_reads_its_credential(self):
        contract, _ = self.make_contract(live=True)
        err = self.cli_error('market', 'contract', 'access', 'show',
                             contract['uuid'])
        self.assertIn('has no access to show', err)
        self.assertOneLine(err, 404)
        self.market.db.set_contract_access(contract['uuid'], {
            'auth_url': 'https://keystone.cloud-a.example/v3',
            'application_credential_id': 'cred-1',
            'application_credential_secret': 's3cret'})
        access = self.cli_json('market', 'contract', 'access', 'show',
                               contract['uuid'])
        self.assertEqual(
            (contract['uuid'], 'cred-1', 's3cret'),
            (access['contract_uuid'], access['application_credential_id'],
             access['application_credential_secret']))
        self.assertEqual('s3cret', self.cli(
            'market', 'contract', 'access', 'show', contract['uuid'],
            '-f', 'value', '-c', 'application_credential_secret').strip())
        # Not the owner.
        err = self.cli_error('market', 'contract', 'access', 'show',
                             contract['uuid'], project='org-a')
        self.assertNotIn('s3cret', err)
        self.assertOneLine(err, 404)

    def test_the_credential_written_as_a_clouds_yaml_entry(self):
        import os
        import openstack.config
        import yaml
        contract, _ = self.make_contract(live=True)
        self.market.db.set_contract_access(contract['uuid'], {
            'auth_type': 'v3applicationcredential',
            'auth_url': 'https://keystone.cloud-a.example/v3',
            'application_credential_id': 'cred-1',
            'application_credential_secret': 's3cret'})
        path = self.useFixture(fixtures.TempDir()).join('clouds.yaml')
        with open(path, 'w') as f:
            f.write('clouds:\n  mine: {auth: {auth_url: https://x/v3}}\n')
        self.cli_json('market', 'contract', 'access', 'show',
                      contract['uuid'], '--clouds-yaml', path)
        name = f"flocx-{contract['uuid'][:8]}"
        with open(path) as f:
            clouds = yaml.safe_load(f)['clouds']
        self.assertEqual({'mine', name}, set(clouds))
        self.assertEqual(0o600, os.stat(path).st_mode & 0o777)
        # openstacksdk reads it as an application credential cloud.
        cloud = openstack.config.OpenStackConfig(
            config_files=[path], vendor_files=[],
            secure_files=[], load_envvars=False).get_one(cloud=name)
        self.assertEqual(('v3applicationcredential', 'cred-1', 's3cret'), (
            cloud.config['auth_type'],
            cloud.config['auth']['application_credential_id'],
            cloud.config['auth']['application_credential_secret']))
        self.cli_json('market', 'contract', 'access', 'show',
                      contract['uuid'], '--clouds-yaml', path,
                      '--cloud-name', 'rented')
        with open(path) as f:
            self.assertIn('rented', yaml.safe_load(f)['clouds'])


class OfferLifecycleTest(LifecycleCLITestCase):

    def test_withdraw_a_booked_offer(self):
        offer = self.make_offer(project='org-a', price=1.0, start=1, end=20)
        other = self.make_offer(project='org-a', price=1.0)
        contract, _ = self.make_contract(offers=[offer])
        # Cancel refuses a booked offer; withdraw takes the unsold rest.
        err = self.cli_error('market', 'offer', 'cancel', offer['uuid'],
                             project='org-a')
        self.assertIn('(HTTP 409 Conflict, request req-', err)
        # Each refusal on a line of its own, then the count.
        err = self.cli_error('market', 'offer', 'withdraw', offer['uuid'],
                             project='org-c')
        self.assertEqual(
            [f"Offer {offer['uuid']}: ", '1 of 1 offers could not be '
             'withdrawn.'],
            [line[:len(f"Offer {offer['uuid']}: ")] if i == 0 else line
             for i, line in enumerate(err.strip().splitlines())])
        self.assertIn('(HTTP 403 Forbidden, request req-', err)
        self.assertEqual('', self.cli('market', 'offer', 'withdraw',
                                      offer['uuid'], other['uuid'],
                                      '--reason', 'need it',
                                      project='org-a'))
        for uuid_ in (offer['uuid'], other['uuid']):
            shown = self.cli_json('market', 'offer', 'show', uuid_,
                                  project='org-a')
            self.assertEqual(('withdrawn', 'need it'),
                             (shown['status'], shown['status_reason']))
        self.assertEqual('scheduled', self.market.db.get_contract(
            contract['uuid'])['status'])
        self.assertEqual(
            {offer['uuid'], other['uuid']},
            {o['UUID'] for o in self.cli_json(
                'market', 'offer', 'list', '--status', 'withdrawn',
                project='org-a')})
        # Again: nothing left to withdraw.
        code, _, err = self.run_cli('market', 'offer', 'withdraw',
                                    offer['uuid'], project='org-a')
        self.assertEqual(1, code)
        self.assertIn('(HTTP 409 Conflict, request req-', err)
        self.assertIn('1 of 1 offers could not be withdrawn.', err)

    def test_availability(self):
        offer = self.make_offer(project='org-a', price=1.0, start=1, end=10)
        contract, _ = self.make_contract(offers=[offer])
        cal = self.cli_json('market', 'offer', 'availability', 'show',
                            offer['uuid'], project='org-a')
        self.assertEqual(offer['uuid'], cal['offer_uuid'])
        [booked] = cal['booked']
        self.assertEqual(contract['uuid'], booked['contract_uuid'])
        end = market_base.parse(contract['end_time'])
        self.assertEqual(end + 30 * MINUTE,
                         market_base.parse(booked['booked_until']))
        self.assertEqual(2, len(cal['free']))
        self.assertEqual(end + 30 * MINUTE,
                         market_base.parse(cal['free'][1][0]))
        table = self.cli('market', 'offer', 'availability', 'show',
                         offer['uuid'], project='org-a')
        self.assertIn(f"{cal['free'][0][0]} to {cal['free'][0][1]}", table)
        err = self.cli_error('market', 'offer', 'availability', 'show',
                             offer['uuid'], project='org-c')
        self.assertOneLine(err, 403)


class StatementTest(LifecycleCLITestCase):

    def test_statements_of_both_parties(self):
        contract, start = self.make_contract(live=True)
        self.cli('market', 'contract', 'return', contract['uuid'])
        period = start.strftime('%Y-%m')
        mine = self.cli_json('market', 'statement', 'show', '--period',
                             period)
        self.assertEqual((period, 'org-b'), (mine['period'],
                                             mine['project_id']))
        [line] = mine['contracts']
        self.assertEqual(
            {'contract_uuid': contract['uuid'], 'project_id': 'org-b',
             'role': 'renter', 'node_hours': '0.15', 'paid': '2.00',
             'refunds': '1.70', 'fees': '0.00', 'earned': '0.00'}, line)
        self.assertNotIn('operator', mine)
        owner = self.cli_json('market', 'statement', 'show', '--period',
                              period, project='org-a')
        self.assertEqual([('owner', '0.15')], [
            (c['role'], c['earned']) for c in owner['contracts']])
        everyone = self.cli_json('market', 'statement', 'show', '--period',
                                 period, project='', roles='reader')
        self.assertEqual({'surplus': '0.15', 'fees': '0.00'},
                         everyone['operator'])
        just_a = self.cli_json('market', 'statement', 'show', '--period',
                               period, '--project', 'org-a', project='',
                               roles='reader')
        self.assertEqual(['org-a'], [c['project_id']
                                     for c in just_a['contracts']])

    def test_csv_has_one_line_per_contract_and_party(self):
        contract, start = self.make_contract(live=True)
        self.cli('market', 'contract', 'return', contract['uuid'])
        out = self.cli('market', 'statement', 'show', '--period',
                       start.strftime('%Y-%m'), '-f', 'csv', project='',
                       roles='reader')
        rows = list(csv.DictReader(io.StringIO(out)))
        self.assertEqual(
            [{'Period': start.strftime('%Y-%m'),
              'Contract UUID': contract['uuid'], 'Project ID': 'org-b',
              'Role': 'renter', 'Node Hours': '0.15', 'Paid': '2.00',
              'Refunds': '1.70', 'Fees': '0.00', 'Earned': '0.00'},
             {'Period': start.strftime('%Y-%m'),
              'Contract UUID': contract['uuid'], 'Project ID': 'org-a',
              'Role': 'owner', 'Node Hours': '0.15', 'Paid': '0.00',
              'Refunds': '0.00', 'Fees': '0.00', 'Earned': '0.15'}],
            sorted(rows, key=lambda r: r['Role'], reverse=True))
        err = self.cli_error('market', 'statement', 'show', '--period',
                             '2026-13', '-f', 'csv')
        self.assertOneLine(err, 400)

    def two_days(self):
        """A contract held on the evening of 3 Nov 2026 (written 2 h
        before its start), lent and returned 10 min into 4 Nov: charges on
        two days."""
        timeutils.set_time_override(datetime.datetime(2026, 11, 3, 23, 0))
        contract, start = self.make_contract(live=True)
        self.assertEqual(datetime.datetime(2026, 11, 4, 1, 0), start)
        self.cli('market', 'contract', 'return', contract['uuid'])
        return contract

    def test_days_one_row_per_day(self):
        self.two_days()
        days = self.cli_json('market', 'statement', 'show', '--period',
                             '2026-11', '--days')
        # The hold of the hour on the 3rd; on the 4th the refund of all but
        # the 9 min had (lent at 01:01, returned at 01:10; 2.00 an hour).
        self.assertEqual(
            [{'Date': '2026-11-03', 'Paid': '2.00', 'Refunds': '0.00',
              'Fees': '0.00', 'Earned': '0.00'},
             {'Date': '2026-11-04', 'Paid': '0.00', 'Refunds': '1.70',
              'Fees': '0.00', 'Earned': '0.00'}], days)
        # The same days as the API gives them (microversion 1.4), under
        # human names; amounts are the API's decimal strings, never floats.
        api = self.org_b.get('/v1/statements?period=2026-11', headers={
            'OpenStack-API-Version': 'marketplace 1.4'}).json['days']
        self.assertEqual(api, [{k.lower(): v for k, v in day.items()}
                               for day in days])
        owner = self.cli_json('market', 'statement', 'show', '--period',
                              '2026-11', '--days', project='org-a')
        # The owner's hold (1.00 an hour) and its reversal, to 0.15 earned.
        self.assertEqual([('2026-11-03', '1.00'), ('2026-11-04', '-0.85')],
                         [(d['Date'], d['Earned']) for d in owner])
        table = self.cli('market', 'statement', 'show', '--period',
                         '2026-11', '--days')
        header, = [line for line in table.splitlines() if 'Date' in line]
        self.assertEqual(['Date', 'Paid', 'Refunds', 'Fees', 'Earned'],
                         [c.strip() for c in header.strip('|').split('|')])
        self.assertIn('| 2026-11-04 | 0.00 | 1.70    |', table)

    def test_days_in_every_format(self):
        self.two_days()
        show = ('market', 'statement', 'show', '--period', '2026-11',
                '--days')
        rows = list(csv.DictReader(io.StringIO(self.cli(*show, '-f',
                                                        'csv'))))
        self.assertEqual(['2026-11-03', '2026-11-04'],
                         [r['Date'] for r in rows])
        self.assertEqual(('2.00', '1.70'),
                         (rows[0]['Paid'], rows[1]['Refunds']))
        days = yaml.safe_load(self.cli(*show, '-f', 'yaml'))
        self.assertEqual('1.70', days[1]['Refunds'])
        self.assertEqual('2026-11-03 2.00\n2026-11-04 0.00\n',
                         self.cli(*show, '-f', 'value', '-c', 'Date', '-c',
                                  'Paid'))
        # A system reader's statement of everyone: the operator's too.
        everyone = self.cli_json(*show, project='', roles='reader')
        self.assertEqual(
            {'Date': '2026-11-04', 'Paid': '0.00', 'Refunds': '1.70',
             'Fees': '0.00', 'Earned': '-0.85', 'Surplus': '-0.85',
             'Operator Fees': '0.00'}, everyone[1])
        # Without --days the statement has them under its API field.
        statement = self.cli_json('market', 'statement', 'show',
                                  '--period', '2026-11')
        self.assertEqual(['2026-11-03', '2026-11-04'],
                         [d['date'] for d in statement['days']])
        err = self.cli_error(*show, '-f', 'shell')
        self.assertIn('--days lists rows: use -f table, csv, json, yaml or '
                      'value.', err)

    def test_days_need_microversion_1_4(self):
        self.two_days()
        err = self.cli_error('--os-market-api-version', '1.2', 'market',
                             'statement', 'show', '--period', '2026-11',
                             '--days')
        self.assertIn('--days needs marketplace microversion 1.4 or later; '
                      'this command asked for 1.2 (--os-market-api-version)',
                      err)
        self.assertEqual(1, len(err.strip().splitlines()), err)
        # Pinned, the statement itself still shows, without days.
        statement = self.cli_json('--os-market-api-version', '1.2',
                                  'market', 'statement', 'show',
                                  '--period', '2026-11')
        self.assertNotIn('days', statement)
        err = self.cli_error('market', 'statement', 'show', '--period',
                             '2026-13', '--days')
        self.assertOneLine(err, 400)

    def test_refusals(self):
        err = self.cli_error('market', 'statement', 'show', '--project',
                             'org-a')
        self.assertIn('No statement of project org-a.', err)
        self.assertOneLine(err, 404)
        err = self.cli_error('market', 'statement', 'show', '--period',
                             'december')
        self.assertIn("period must be a month as YYYY-MM, not 'december'",
                      err)
        self.assertOneLine(err, 400)
