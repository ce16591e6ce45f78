"""A contract's life after it is written, and its money (API 1.1, SQLite).

Every transition (return, revoke, extend, failure, delivery, warning,
withdraw) through the API or the market's own sweeps, with the charges it
writes and the statements that show them.
"""

import datetime
import decimal

from oslo_utils import timeutils

from flocx_common import context
from flocx_market import settlement
from tests.unit import base as ubase
from tests.unit.market import base
from tests.unit.market import test_rpc

D = decimal.Decimal
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
V11 = {'OpenStack-API-Version': 'marketplace 1.1'}


class LifecycleTestCase(base.BookingTestCase):

    fixture_overrides = {}

    def setUp(self):
        super().setUp()
        if self.fixture_overrides:
            self.market = self.useFixture(
                base.MarketFixture(**self.fixture_overrides))
            app = self.market.app
            self.service = ubase.Client(app, project='service',
                                        roles='service')
            self.org_a = ubase.Client(app, project='org-a')
            self.org_b = ubase.Client(app, project='org-b')
            self.org_c = ubase.Client(app, project='org-c')
            self.admin = ubase.Client(app, project='admin',
                                      roles='admin,member,reader')
        for client in (self.org_a, self.org_b, self.org_c, self.admin,
                       self.service):
            client.headers.update(V11)
        self.system_admin = ubase.Client(self.market.app, project='',
                                         roles='admin,member,reader')
        self.system_reader = ubase.Client(self.market.app, project='',
                                          roles='reader')
        for client in (self.system_admin, self.system_reader):
            del client.headers['X-Project-Id']
            client.headers.update(V11)
            client.headers['OpenStack-System-Scope'] = 'all'
        self.addCleanup(timeutils.clear_time_override)

    def at(self, when):
        timeutils.set_time_override(when)

    def live_contract(self, nodes=1, price=2.0, node_price=1.0, hours=3,
                      offers=None):
        """An org-b contract on org-a's node(s), started and lent 1 min
        after its start; the clock is then 10 min after the start."""
        offers = offers or [self.make_offer(price=node_price)
                            for _ in range(nodes)]
        bid = self.make_bid(quantity=len(offers), price=price,
                            duration=hours * 3600)
        contract = self.commit(base.award_for(bid, offers))
        start = base.parse(contract['start_time'])
        self.at(start + MINUTE)
        for node in contract['nodes']:
            self.db.record_delivery(contract['uuid'], node['resource_uuid'],
                                    lent_at=start + MINUTE)
        self.db.update_contract_status(contract['uuid'], 'active')
        self.at(start + 10 * MINUTE)
        return self.db.get_contract(contract['uuid']), start

    def charges(self, uuid):
        """{(party, kind, project): total amount} of a contract's lines."""
        totals = {}
        for line in self.ledger(uuid):
            key = (line['party'], line['kind'], line['project_id'])
            totals[key] = totals.get(key, D(0)) + D(line['amount'])
        return {k: v for k, v in totals.items() if v}

    def ledger(self, uuid):
        import sqlalchemy as sa
        from flocx_market.db import models
        with self.db.reader() as session:
            return [dict(r) for r in session.execute(
                sa.select(models.charges).where(
                    models.charges.c.contract_uuid == uuid)
                .order_by(models.charges.c.id)).mappings()]

    def assertBalanced(self, uuid):
        lines = self.ledger(uuid)
        renters = sum((D(line['amount']) for line in lines
                       if line['party'] == 'renter'), D(0))
        others = sum((D(line['amount']) for line in lines
                      if line['party'] != 'renter'), D(0))
        self.assertEqual(renters, others)

    def events(self, client, uuid):
        resp = client.get(f'/v1/events?object_uuid={uuid}')
        self.assertEqual(200, resp.status_code, resp.body)
        return [e['event_type'] for e in resp.json['events']]


class MoneyRuleTest(ubase.TestCase):
    """settlement.py alone."""

    start = datetime.datetime(2026, 12, 1, 10, 0)

    def node(self, **kw):
        values = {'start_time': self.start, 'end_time': self.start + 2 * HOUR,
                  'lent_at': None, 'reclaimed_at': None, 'ended_at': None,
                  'owner_project_id': 'org-a', 'price': D('1.10')}
        values.update(kw)
        return values

    def test_scheduled_node_is_held_for_its_planned_time(self):
        self.assertEqual(7200, settlement.billable_seconds(self.node(),
                                                           'scheduled'))

    def test_never_lent_costs_nothing_once_over(self):
        for status in ('failed', 'cancelled', 'revoked', 'completed'):
            self.assertEqual(0, settlement.billable_seconds(self.node(),
                                                            status))
        ended = self.node(ended_at=self.start)
        self.assertEqual(0, settlement.billable_seconds(ended, 'active'))

    def test_delivered_time_is_billed_within_the_contract(self):
        late_and_slow = self.node(lent_at=self.start + 5 * MINUTE,
                                  reclaimed_at=self.start + 3 * HOUR)
        # From the late lend to the planned end: the slow reclaim and the
        # cleaning after it are the owner's.
        self.assertEqual(7200 - 300, settlement.billable_seconds(
            late_and_slow, 'completed'))
        early_reclaim = self.node(lent_at=self.start,
                                  reclaimed_at=self.start + HOUR)
        self.assertEqual(3600, settlement.billable_seconds(early_reclaim,
                                                           'failed'))
        lent_not_back = self.node(lent_at=self.start)
        self.assertEqual(7200, settlement.billable_seconds(lent_not_back,
                                                           'active'))

    def test_target_splits_renter_owners_operator_to_the_cent(self):
        contract = {'price': D('2.345'), 'status': 'completed',
                    'fees': D('0.50')}
        nodes = [self.node(lent_at=self.start,
                           reclaimed_at=self.start + 20 * MINUTE),
                 self.node(lent_at=self.start, owner_project_id='org-c',
                           price=D('0.999'))]
        got = settlement.target(contract, nodes)
        # renter: (1/3 h + 2 h) x 2.345 = 5.47166.. -> 5.47
        self.assertEqual(D('5.47'), got['renter']['rent'][0])
        # org-a: 1/3 h x 1.10 = 0.3666.. -> 0.37; org-c: 2 x 0.999 -> 2.00
        self.assertEqual(D('0.37'), got['owners']['org-a'][0])
        self.assertEqual(D('2.00'), got['owners']['org-c'][0])
        self.assertEqual(D('3.10'), got['operator']['surplus'])
        self.assertEqual(D('0.50'), got['operator']['fee'])
        self.assertEqual(got['renter']['rent'][0] + got['renter']['fee'],
                         got['owners']['org-a'][0] +
                         got['owners']['org-c'][0] +
                         got['operator']['surplus'] + got['operator']['fee'])

    def test_early_return_fee(self):
        self.assertEqual(D('0.30'), settlement.early_return_fee(
            10, D('2.00'), 5400))
        self.assertEqual(0, settlement.early_return_fee(0, D('2'), 5400))
        self.assertEqual(0, settlement.early_return_fee(10, D('2'), 0))


class ReturnTest(LifecycleTestCase):

    def test_return_all_nodes_of_an_active_contract(self):
        contract, start = self.live_contract(price=2.0, node_price=1.0)
        resp = self.org_b.post(f"/v1/contracts/{contract['uuid']}/return")
        self.assertEqual(200, resp.status_code, resp.body)
        body = resp.json
        self.assertEqual('completed', body['status'])
        [node] = body['nodes']
        now = start + 10 * MINUTE
        self.assertEqual(('returned', now),
                         (node['end_kind'], base.parse(node['end_time'])))
        # The node is not sold again before the cleaning gap has passed.
        self.assertEqual(now + 30 * MINUTE, base.parse(node['booked_until']))
        # 9 minutes had (lent 1 min after the start): 2.00 x 0.15 h
        self.assertEqual({('renter', 'rent', 'org-b'): D('0.30'),
                          ('owner', 'earning', 'org-a'): D('0.15'),
                          ('operator', 'surplus', None): D('0.15')},
                         self.charges(contract['uuid']))
        self.assertBalanced(contract['uuid'])
        self.assertEqual(0.3, body['cost'])
        # Both parties are told.
        for client in (self.org_a, self.org_b):
            self.assertIn('contract.return',
                          self.events(client, contract['uuid']))

    def test_returned_time_is_for_sale_in_the_next_round(self):
        offer = self.make_offer(start=0, end=20)
        contract, start = self.live_contract(offers=[offer], hours=3)
        [in_book] = self.db.order_book()['offers']
        self.assertEqual(base.parse(contract['end_time']) + 30 * MINUTE,
                         base.parse(in_book['busy'][0][1]))
        self.org_b.post(f"/v1/contracts/{contract['uuid']}/return")
        # The engine's book: busy only until the return plus the gap.
        [in_book] = self.db.order_book()['offers']
        [busy] = in_book['busy']
        self.assertEqual(start + 40 * MINUTE, base.parse(busy[1]))
        # And the next round may sell it: a bid for right after the gap.
        # (The clock is 10 min after the start: 30 min from now.)
        bid = self.make_bid(client=self.org_c, start=0.5, duration=3600)
        self.assertEqual(start + 40 * MINUTE, base.parse(bid['start_time']))
        later = self.commit(base.award_for(bid, [offer]))
        self.assertEqual('scheduled', later['status'])

    def test_return_some_nodes_keeps_the_rest(self):
        contract, start = self.live_contract(nodes=2)
        first, second = contract['nodes']
        resp = self.org_b.post(f"/v1/contracts/{contract['uuid']}/return",
                               {'nodes': [first['resource_uuid']]})
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual('active', resp.json['status'])
        by_node = {n['resource_uuid']: n for n in resp.json['nodes']}
        self.assertEqual('returned', by_node[first['resource_uuid']]
                         ['end_kind'])
        self.assertIsNone(by_node[second['resource_uuid']]['end_kind'])
        # Returning it again: nothing left of those to end.
        again = self.org_b.post(f"/v1/contracts/{contract['uuid']}/return",
                                {'nodes': [first['resource_uuid']]})
        self.assertEqual(409, again.status_code)
        self.assertBalanced(contract['uuid'])

    def test_return_before_start_cancels_and_costs_nothing(self):
        offer = self.make_offer()
        contract = self.contract([offer])
        self.assertEqual(2.0, contract['cost'])  # held while scheduled
        resp = self.org_b.post(f"/v1/contracts/{contract['uuid']}/return")
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual(('cancelled', 0.0),
                         (resp.json['status'], resp.json['cost']))
        self.assertEqual({}, self.charges(contract['uuid']))
        self.assertEqual([], self.db.busy_intervals(offer['uuid']))

    def test_only_the_renter_returns(self):
        contract, _ = self.live_contract()
        path = f"/v1/contracts/{contract['uuid']}/return"
        self.assertEqual(404, self.org_c.post(path).status_code)
        self.assertEqual(403, self.org_a.post(path).status_code)
        reader = self.org_b.as_('org-b', 'reader')
        reader.headers.update(V11)
        self.assertEqual(403, reader.post(path).status_code)

    def test_bad_returns(self):
        contract, _ = self.live_contract()
        path = f"/v1/contracts/{contract['uuid']}/return"
        resp = self.org_b.post(path, {'nodes': ['not-a-uuid']})
        self.assertEqual(400, resp.status_code)
        resp = self.org_b.post(
            path, {'nodes': ['00000000-0000-0000-0000-000000000001']})
        self.assertEqual(400, resp.status_code)
        self.assertIn('Not a node of contract', resp.json['errors'][0]
                      ['detail'])
        self.assertEqual(200, self.org_b.post(path).status_code)
        resp = self.org_b.post(path)
        self.assertEqual(409, resp.status_code)
        self.assertEqual('flocx.contract_not_live',
                         resp.json['errors'][0]['code'])

    def test_needs_microversion_1_1(self):
        contract, _ = self.live_contract()
        old = self.org_b.as_('org-b')
        resp = old.post(f"/v1/contracts/{contract['uuid']}/return")
        self.assertEqual(404, resp.status_code)
        self.assertEqual('flocx.microversion_required',
                         resp.json['errors'][0]['code'])


class EarlyReturnFeeTest(LifecycleTestCase):
    fixture_overrides = {'market.early_return_fee_percent': 10}

    def test_fee_on_the_time_given_back(self):
        contract, start = self.live_contract(price=2.0, hours=3)
        resp = self.org_b.post(f"/v1/contracts/{contract['uuid']}/return")
        self.assertEqual(200, resp.status_code, resp.body)
        # Gave back 2 h 50 min at 2.00: 5.666.. x 10 % = 0.57
        got = self.charges(contract['uuid'])
        self.assertEqual(D('0.57'), got[('renter', 'fee', 'org-b')])
        self.assertEqual(D('0.57'), got[('operator', 'fee', None)])
        self.assertEqual(D('0.30'), got[('renter', 'rent', 'org-b')])
        self.assertBalanced(contract['uuid'])


class RevokeTest(LifecycleTestCase):

    def test_owner_revokes_with_a_reason(self):
        contract, start = self.live_contract(price=2.0)
        path = f"/v1/contracts/{contract['uuid']}/revoke"
        self.assertEqual(400, self.org_a.post(path, {}).status_code)
        resp = self.org_a.post(path, {'reason': 'disk failed'})
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual(('revoked', 'disk failed'),
                         (resp.json['status'], resp.json['status_reason']))
        # The renter paid for the 9 minutes it had; the rest is refunded.
        lines = [D(line['amount']) for line in self.ledger(contract['uuid'])
                 if line['party'] == 'renter' and line['kind'] == 'rent']
        # Held 3 h at the contract; 1 min less once the provider said it
        # lent the node 1 min late; the unused rest back at the revocation.
        self.assertEqual([D('6.00'), D('-0.03'), D('-5.67')], lines)
        # The renter is told why.
        resp = self.org_b.get(f"/v1/events?object_uuid={contract['uuid']}")
        [revoke] = [e for e in resp.json['events']
                    if e['event_type'] == 'contract.revoke']
        self.assertEqual('disk failed', revoke['detail']['reason'])
        # The market sees the owner's record.
        resp = self.org_c.get('/v1/reliability')
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual([{'owner_project_id': 'org-a', 'contracts': 1,
                           'revocations': 1}], resp.json['owners'])

    def test_who_may_revoke(self):
        contract, _ = self.live_contract()
        path = f"/v1/contracts/{contract['uuid']}/revoke"
        body = {'reason': 'maintenance'}
        self.assertEqual(404, self.org_c.post(path, body).status_code)
        self.assertEqual(403, self.org_b.post(path, body).status_code)
        # A project's own admin is not the market's admin.
        org_c_admin = ubase.Client(self.market.app, project='org-c',
                                       roles='admin,member,reader')
        self.assertEqual(404, org_c_admin.post(path, body).status_code)
        resp = self.system_admin.post(path, body)
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual('revoked', resp.json['status'])

    def test_revoke_of_a_finished_contract_is_409(self):
        contract, _ = self.live_contract()
        path = f"/v1/contracts/{contract['uuid']}/revoke"
        self.assertEqual(200, self.org_a.post(path, {'reason': 'x'})
                         .status_code)
        self.assertEqual(409, self.org_a.post(path, {'reason': 'x'})
                         .status_code)


class ExtendTest(LifecycleTestCase):

    def extend(self, contract, end, client=None):
        return (client or self.org_b).post(
            f"/v1/contracts/{contract['uuid']}/extend",
            {'end_time': base.iso(end)})

    def test_extend_when_free(self):
        contract, start = self.live_contract(price=2.0, hours=3)
        end = base.parse(contract['end_time'])
        resp = self.extend(contract, end + HOUR)
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual(end + HOUR, base.parse(resp.json['end_time']))
        [node] = resp.json['nodes']
        self.assertEqual(end + HOUR + 30 * MINUTE,
                         base.parse(node['booked_until']))
        # Held: 4 h planned minus the first minute before the lend.
        got = self.charges(contract['uuid'])
        self.assertEqual(D('7.97'), got[('renter', 'rent', 'org-b')])
        self.assertBalanced(contract['uuid'])
        for client in (self.org_a, self.org_b):
            self.assertIn('contract.extend',
                          self.events(client, contract['uuid']))

    def test_refused_when_the_node_is_booked_after(self):
        offer = self.make_offer(start=1, end=20)
        contract, start = self.live_contract(offers=[offer], hours=3)
        end = base.parse(contract['end_time'])
        # The clock is 10 min after the start: this one starts 4 h after it.
        later = self.make_bid(client=self.org_c, start=4 - 1 / 6)
        self.commit(base.award_for(later, [offer]))
        resp = self.extend(contract, end + 2 * HOUR)
        self.assertEqual(409, resp.status_code, resp.body)
        error = resp.json['errors'][0]
        self.assertEqual('flocx.extension_refused', error['code'])
        self.assertIn('booked by another contract', error['detail'])
        # Up to the other's start less the cleaning gap is fine.
        self.assertEqual(200, self.extend(contract, end + 30 * MINUTE)
                         .status_code)

    def test_refused_past_the_offer_window(self):
        offer = self.make_offer(start=1, end=6)
        contract, _ = self.live_contract(offers=[offer], hours=3)
        resp = self.extend(contract, base.parse(offer['end_time']) + MINUTE)
        self.assertEqual(409, resp.status_code)
        self.assertIn('offers it only until',
                      resp.json['errors'][0]['detail'])

    def test_refused_when_its_offer_was_withdrawn(self):
        offer = self.make_offer(start=0, end=20)
        contract, _ = self.live_contract(offers=[offer], hours=3)
        self.assertEqual(200, self.org_a.post(
            f"/v1/offers/{offer['uuid']}/withdraw").status_code)
        resp = self.extend(contract, base.parse(contract['end_time']) + HOUR)
        self.assertEqual(409, resp.status_code)
        error = resp.json['errors'][0]
        self.assertEqual('flocx.extension_refused', error['code'])
        self.assertIn(f"its offer {offer['uuid']} is withdrawn",
                      error['detail'])

    def test_refused_on_a_completed_contract(self):
        contract, _ = self.live_contract()
        self.org_b.post(f"/v1/contracts/{contract['uuid']}/return")
        resp = self.extend(contract, base.parse(contract['end_time']) + HOUR)
        self.assertEqual(409, resp.status_code)
        self.assertEqual('flocx.contract_not_live',
                         resp.json['errors'][0]['code'])

    def test_bad_extensions(self):
        contract, _ = self.live_contract()
        end = base.parse(contract['end_time'])
        self.assertEqual(400, self.extend(contract, end).status_code)
        self.assertEqual(400, self.org_b.post(
            f"/v1/contracts/{contract['uuid']}/extend", {}).status_code)
        self.assertEqual(403, self.extend(contract, end + HOUR,
                                          self.org_a).status_code)
        self.assertEqual(404, self.extend(contract, end + HOUR,
                                          self.org_c).status_code)


class FailureTest(LifecycleTestCase):

    def test_no_provider_fails_at_start_and_costs_nothing(self):
        offer = self.make_offer()  # published without a provider
        contract = self.contract([offer])
        start = base.parse(contract['start_time'])
        self.assertEqual([], self.db.fail_unattended(900, now=start -
                                                     MINUTE))
        [failed] = self.db.fail_unattended(900, now=start + MINUTE)
        self.assertEqual('failed', failed['contract']['status'])
        self.assertIn('no provider', failed['contract']['status_reason'])
        self.assertEqual({}, self.charges(contract['uuid']))
        self.assertEqual(0.0, failed['contract']['cost'])

    def test_silent_provider_fails_after_the_timeout(self):
        body = base.offer_body()
        body['provider'] = 'provider-east'
        offer = self.service.post('/v1/offers', body).json
        contract = self.contract([offer])
        start = base.parse(contract['start_time'])
        self.assertEqual([], self.db.fail_unattended(900, now=start +
                                                     14 * MINUTE))
        [failed] = self.db.fail_unattended(900, now=start + 16 * MINUTE)
        self.assertIn('no provider acted within 900 s',
                      failed['contract']['status_reason'])
        self.assertEqual({}, self.charges(contract['uuid']))

    def test_failure_after_delivery_costs_what_was_delivered(self):
        contract, start = self.live_contract(price=2.0)
        [node] = contract['nodes']
        self.db.update_contract_status(contract['uuid'], 'failed', 'broke')
        self.db.record_delivery(contract['uuid'], node['resource_uuid'],
                                reclaimed_at=start + 31 * MINUTE)
        # Lent 1 min after the start, failed at 10 min: 9 min billed.
        got = self.charges(contract['uuid'])
        self.assertEqual(D('0.30'), got[('renter', 'rent', 'org-b')])
        self.assertBalanced(contract['uuid'])


    def test_part_delivered_costs_only_the_part(self):
        offers = [self.make_offer(price=1.0) for _ in range(2)]
        bid = self.make_bid(quantity=2, price=2.0, duration=3 * 3600)
        contract = self.commit(base.award_for(bid, offers))
        start = base.parse(contract['start_time'])
        lent, never = contract['nodes']
        self.db.record_delivery(contract['uuid'], lent['resource_uuid'],
                                lent_at=start)
        self.at(start + HOUR)
        self.db.update_contract_status(contract['uuid'], 'failed',
                                       'could not lend one node')
        self.db.record_delivery(contract['uuid'], lent['resource_uuid'],
                                reclaimed_at=start + HOUR)
        # One node for one hour; the other never reached the renter.
        got = self.charges(contract['uuid'])
        self.assertEqual({('renter', 'rent', 'org-b'): D('2.00'),
                          ('owner', 'earning', 'org-a'): D('1.00'),
                          ('operator', 'surplus', None): D('1.00')}, got)
        self.assertEqual(2.0, self.db.get_contract(contract['uuid'])['cost'])
        self.assertBalanced(contract['uuid'])


class GapWarningWithdrawTest(LifecycleTestCase):

    def test_offer_may_set_its_own_gap(self):
        body = base.offer_body(start=1, end=10)
        body['cleaning_gap'] = 0
        offer = self.service.post('/v1/offers', body).json
        self.assertEqual(0, offer['cleaning_gap'])
        first = self.make_bid(start=2, duration=3600)
        self.commit(base.award_for(first, [offer]))
        after = self.make_bid(client=self.org_c, start=3)
        self.commit(base.award_for(after, [offer]))
        old = self.service.as_('service', 'service')
        resp = old.post('/v1/offers', dict(body, start_time=base.iso(
            base.hours_from_now(11)), end_time=base.iso(
                base.hours_from_now(12))))
        self.assertEqual(400, resp.status_code)  # 1.0: no cleaning_gap

    def test_order_book_busy_includes_the_gap(self):
        offer = self.make_offer()
        contract = self.contract([offer])
        [offer_in_book] = self.db.order_book()['offers']
        [busy] = offer_in_book['busy']
        self.assertEqual(base.parse(contract['end_time']) + 30 * MINUTE,
                         base.parse(busy[1]))

    def test_warned_once_before_the_end_and_again_after_extension(self):
        contract, start = self.live_contract(hours=3)
        end = base.parse(contract['end_time'])
        self.assertEqual([], self.db.contracts_ending(
            3600, now=end - 2 * HOUR))
        [warned] = self.db.contracts_ending(3600, now=end - 50 * MINUTE)
        self.assertEqual(contract['uuid'], warned['uuid'])
        self.assertEqual([], self.db.contracts_ending(
            3600, now=end - 40 * MINUTE))
        for client in (self.org_a, self.org_b):
            events = self.events(client, contract['uuid'])
            self.assertIn('contract.start', events)
            self.assertIn('contract.before_end', events)
        self.db.extend_contract(contract['uuid'], end + HOUR)
        self.assertEqual([], self.db.contracts_ending(
            3600, now=end - 40 * MINUTE))
        self.assertEqual(1, len(self.db.contracts_ending(
            3600, now=end + 10 * MINUTE)))

    def test_withdraw_the_unsold_rest(self):
        offer = self.make_offer(start=1, end=20)
        contract = self.contract([offer])
        path = f"/v1/offers/{offer['uuid']}"
        self.assertEqual(409, self.org_a.delete(path).status_code)
        self.assertEqual(403, self.org_c.post(path + '/withdraw')
                         .status_code)
        resp = self.org_a.post(path + '/withdraw', {'reason': 'need it'})
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual('withdrawn', resp.json['status'])
        self.assertEqual('scheduled',
                         self.db.get_contract(contract['uuid'])['status'])
        self.assertEqual([], self.db.order_book()['offers'])
        self.assertEqual(409, self.org_a.post(path + '/withdraw')
                         .status_code)

    def test_availability_calendar(self):
        offer = self.make_offer(start=1, end=10)
        contract = self.contract([offer])
        path = f"/v1/offers/{offer['uuid']}/availability"
        self.assertEqual(403, self.org_c.get(path).status_code)
        resp = self.org_a.get(path)
        self.assertEqual(200, resp.status_code, resp.body)
        cal = resp.json
        [booked] = cal['booked']
        self.assertEqual(contract['uuid'], booked['contract_uuid'])
        end = base.parse(contract['end_time'])
        self.assertEqual(end + 30 * MINUTE, base.parse(booked['booked_until']))
        self.assertEqual(2, len(cal['free']))
        self.assertEqual(end + 30 * MINUTE, base.parse(cal['free'][1][0]))
        self.assertEqual(200, self.system_reader.get(path).status_code)

    def test_market_depth_counts_free_node_time(self):
        offer = self.make_offer(start=1, end=5)
        self.make_offer(start=1, end=5)
        before = {d['resource_class']: d for d in self.db.market_depth()}
        self.contract([offer])
        after = {d['resource_class']: d for d in self.db.market_depth()}
        # A 1 h contract plus its 30 min gap.
        self.assertAlmostEqual(1.5, before['baremetal']['free_node_hours'] -
                               after['baremetal']['free_node_hours'],
                               places=2)


    def test_a_fully_booked_offer_is_no_supply(self):
        # One clock for the offer and the bid: the booking fills the
        # offer's hour exactly (not from a second later).
        self.at(timeutils.utcnow().replace(microsecond=0))
        cheap = self.make_offer(start=2, end=3, price=0.5)
        self.make_offer(start=1, end=5, price=1.5)
        before = {d['resource_class']: d for d in self.db.market_depth()}
        self.assertEqual((2, 0.5), (before['baremetal']['nodes_on_offer'],
                                    before['baremetal']['lowest_ask']))
        # The cheap offer's whole hour is sold.
        bid = self.make_bid(start=2, duration=3600)
        self.commit(base.award_for(bid, [cheap]))
        after = {d['resource_class']: d for d in self.db.market_depth()}
        self.assertEqual((1, 1.5), (after['baremetal']['nodes_on_offer'],
                                    after['baremetal']['lowest_ask']))
        self.assertAlmostEqual(4.0, after['baremetal']['free_node_hours'],
                               places=2)


class StatementTest(LifecycleTestCase):

    def test_statements_per_party_and_for_the_operator(self):
        contract, start = self.live_contract(price=2.0, node_price=1.0)
        self.org_b.post(f"/v1/contracts/{contract['uuid']}/return")
        period = start.strftime('%Y-%m')
        resp = self.org_b.get(f'/v1/statements?period={period}')
        self.assertEqual(200, resp.status_code, resp.body)
        [line] = resp.json['contracts']
        self.assertEqual(
            {'contract_uuid': contract['uuid'], 'project_id': 'org-b',
             'role': 'renter', 'node_hours': '0.15', 'paid': '6.00',
             'refunds': '5.70', 'fees': '0.00', 'earned': '0.00'}, line)
        self.assertNotIn('operator', resp.json)
        resp = self.org_a.get(f'/v1/statements?period={period}')
        [line] = resp.json['contracts']
        self.assertEqual(('owner', '0.15'), (line['role'], line['earned']))
        resp = self.system_reader.get(f'/v1/statements?period={period}')
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual({'surplus': '0.15', 'fees': '0.00'},
                         resp.json['operator'])
        self.assertEqual({'renters_paid': '0.30', 'owners_earned': '0.15'},
                         resp.json['totals'])

    def test_bad_statement_requests(self):
        now = timeutils.utcnow()
        future = (now + datetime.timedelta(days=40)).strftime('%Y-%m')
        resp = self.org_b.get(f'/v1/statements?period={future}')
        self.assertEqual(400, resp.status_code)
        self.assertEqual('flocx.period_in_future',
                         resp.json['errors'][0]['code'])
        for bad in ('2026-13', '2026', 'december', '1999-01'):
            resp = self.org_b.get(f'/v1/statements?period={bad}')
            self.assertEqual(400, resp.status_code, bad)
        resp = self.org_b.get('/v1/statements?project_id=org-a')
        self.assertEqual(404, resp.status_code)
        resp = self.org_b.get('/v1/statements?color=red')
        self.assertEqual(400, resp.status_code)
        self.assertEqual(200, self.org_b.get('/v1/statements').status_code)


class LifecycleNotificationTest(test_rpc.NotificationsMixin,
                                LifecycleTestCase):
    """Each step is told to the bus too, naming both parties (the
    payload's project_id and owner_project_ids), at its level."""

    def contract_notes(self):
        return [(t, p, d) for t, p, d in self.notifications()
                if t.startswith('contract.') and t != 'contract.create']

    def assertForBothParties(self, data):
        self.assertEqual(('org-b', ['org-a']),
                         (data['project_id'], data['owner_project_ids']))

    def test_return_extend_revoke(self):
        first, _ = self.live_contract()
        end = base.parse(first['end_time'])
        resp = self.org_b.post(f"/v1/contracts/{first['uuid']}/extend",
                               {'end_time': base.iso(end + HOUR)})
        self.assertEqual(200, resp.status_code, resp.body)
        resp = self.org_b.post(f"/v1/contracts/{first['uuid']}/return")
        self.assertEqual(200, resp.status_code, resp.body)
        second, _ = self.live_contract()
        resp = self.org_a.post(f"/v1/contracts/{second['uuid']}/revoke",
                               {'reason': 'disk failed'})
        self.assertEqual(200, resp.status_code, resp.body)
        notes = self.contract_notes()
        self.assertEqual([('contract.extend', 'INFO'),
                          ('contract.return', 'INFO'),
                          ('contract.revoke', 'WARN')],
                         [(t, p) for t, p, _ in notes])
        extend, returned, revoke = [d for _, _, d in notes]
        for data in (extend, returned, revoke):
            self.assertForBothParties(data)
        self.assertEqual((base.iso(end), base.iso(end + HOUR)),
                         (base.iso(base.parse(extend['previous_end_time'])),
                          base.iso(base.parse(extend['end_time']))))
        self.assertEqual(('completed', 'returned'),
                         (returned['status'], returned['kind']))
        self.assertEqual(('revoked', 'disk failed'),
                         (revoke['status'], revoke['reason']))

    def test_sweep_fails_the_unattended_and_warns_before_the_end(self):
        body = base.offer_body()
        body['provider'] = 'provider-east'
        silent = self.contract([self.service.post('/v1/offers', body).json])
        ending, _ = self.live_contract(hours=1)
        start = base.parse(silent['start_time'])
        market = self.market.services.market
        ctx = context.get_admin_context()
        swept = market.sweep_contracts(ctx, self.market.conf,
                                       now=start + 16 * MINUTE)
        self.assertEqual(([silent['uuid']], [ending['uuid']]),
                         (swept['failed'], swept['warned']))
        notes = {t: (p, d) for t, p, d in self.contract_notes()}
        level, data = notes['contract.fail']
        self.assertEqual(('ERROR', 'failed'), (level, data['status']))
        self.assertIn('no provider acted within 900 s', data['reason'])
        self.assertForBothParties(data)
        level, data = notes['contract.before_end']
        self.assertEqual(('WARN', ending['uuid']), (level, data['uuid']))
        self.assertForBothParties(data)
        # Once: the next sweep warns of nothing new.
        self.assertEqual([], market.sweep_contracts(
            ctx, self.market.conf, now=start + 17 * MINUTE)['warned'])

    def test_withdraw(self):
        offer = self.make_offer()
        self.org_a.post(f"/v1/offers/{offer['uuid']}/withdraw")
        self.assertIn(('offer.withdraw', 'INFO'),
                      [(t, p) for t, p, _ in self.notifications()])


class StatementDaysTest(LifecycleTestCase):
    """Microversion 1.4: a statement's charges day by day."""

    def get(self, client, path):
        resp = client.get(path, headers={
            'OpenStack-API-Version': 'marketplace 1.4'})
        self.assertEqual(200, resp.status_code, resp.body)
        return resp.json

    def test_days_add_up_to_the_period(self):
        contract, start = self.live_contract(price=2.0, node_price=1.0)
        period = start.strftime('%Y-%m')
        # The renter returns it; the provider's reclaim is reported the
        # next day, a minute before the return: a refund written that day.
        self.org_b.post(f"/v1/contracts/{contract['uuid']}/return")
        [node] = contract['nodes']
        self.db.record_delivery(contract['uuid'], node['resource_uuid'],
                                reclaimed_at=start + 9 * MINUTE,
                                now=start + datetime.timedelta(days=1))
        first, second = start.date(), (start + datetime.timedelta(
            days=1)).date()
        # Through the ledger, whichever month the days fall in.
        whole = self.db.statement(datetime.datetime.combine(
            first, datetime.time()), start + datetime.timedelta(days=2))
        self.assertEqual(
            [{'date': first.isoformat(), 'paid': '6.00', 'refunds': '5.70',
              'fees': '0.00', 'earned': '0.15', 'surplus': '0.15',
              'operator_fees': '0.00'},
             {'date': second.isoformat(), 'paid': '0.00', 'refunds': '0.03',
              'fees': '0.00', 'earned': '-0.02', 'surplus': '-0.01',
              'operator_fees': '0.00'}], whole['days'])
        # Day by day, renters paid = owners earned + surplus + fees.
        for day in whole['days']:
            self.assertEqual(
                D(day['paid']) - D(day['refunds']) + D(day['fees']),
                D(day['earned']) + D(day['surplus']) +
                D(day['operator_fees']))
        # Through the API: the renter's own days, no operator; the sum of
        # its days is its statement's.
        mine = self.get(self.org_b, f'/v1/statements?period={period}')
        [org] = mine['organizations']
        for key in ('paid', 'refunds', 'fees', 'earned'):
            self.assertEqual(D(org[key]), sum(
                (D(d[key]) for d in mine['days']), D(0)), key)
        self.assertNotIn('surplus', mine['days'][0])
        everyone = self.get(self.system_reader,
                            f'/v1/statements?period={period}')
        self.assertEqual(D(everyone['operator']['surplus']), sum(
            (D(d['surplus']) for d in everyone['days']), D(0)))

    def test_no_days_before_1_4(self):
        self.live_contract()
        resp = self.org_b.get('/v1/statements')
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertNotIn('days', resp.json)
        self.assertEqual([], self.get(self.org_c, '/v1/statements')['days'])
