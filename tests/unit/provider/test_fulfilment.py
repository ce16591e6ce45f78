"""The manager's state machine against a real market and a fake Ironic."""

import datetime

from oslo_utils import timeutils

from flocx_provider import ironic
from tests.unit.provider import base

HOUR = datetime.timedelta(hours=1)


class Clock:
    def __init__(self):
        self.now = timeutils.utcnow()

    def __call__(self):
        return self.now


class FulfilmentTest(base.ProviderTestCase):
    def setUp(self):
        super().setUp()
        self.clock = Clock()
        self.manager = self.fx.manager(self.clock)

    def booked(self, nodes=None, renter='org-b'):
        """Offers of ``nodes`` booked by one contract from 1 to 2 h on."""
        self.start = timeutils.utcnow().replace(microsecond=0) + HOUR
        offers = []
        for node in nodes or [self.node]:
            resp = self.offer(node=node.id, start=base.from_now(seconds=5),
                              end=self.start + HOUR)
            self.assertEqual(201, resp.status_code, resp.body)
            offers.append(resp.json)
        return self.contract(offers, self.start, 3600, renter=renter)

    def status(self, contract):
        return self.market_db.get_contract(contract['uuid'])['status']

    def sweep_at(self, when):
        self.clock.now = when
        return self.manager.sweep()

    def test_lend_at_start_reclaim_at_end(self):
        contract = self.booked()
        # Before the start: nothing happens; the next sweep is due at the
        # start or after one poll interval, whichever comes first.
        wait = self.sweep_at(self.start - datetime.timedelta(seconds=2))
        self.assertAlmostEqual(2.0, wait, places=3)
        self.assertIsNone(self.node.lessee)
        self.assertEqual('scheduled', self.status(contract))

        self.sweep_at(self.start)
        self.assertEqual('org-b', self.node.lessee)
        self.assertEqual('active', self.status(contract))
        record, = self.fx.db.fulfilments_of(contract_uuid=contract['uuid'])
        self.assertEqual('lent', record['state'])
        self.assertEqual(self.start, record['lent_at'])

        # Sweeping again changes nothing (idempotent).
        calls = len(self.ironic.calls)
        self.sweep_at(self.start + datetime.timedelta(minutes=30))
        self.assertEqual(calls, len(self.ironic.calls))

        # The renter deployed it; at the end it is taken back, cleaned.
        self.node.provision_state = 'active'
        self.node.instance_id = 'renter-instance'
        self.sweep_at(self.start + HOUR)
        self.assertIsNone(self.node.lessee)
        self.assertEqual('available', self.node.provision_state)
        self.assertEqual('completed', self.status(contract))
        record, = self.fx.db.fulfilments_of(contract_uuid=contract['uuid'])
        self.assertEqual('reclaimed', record['state'])
        events = self.market_db.list_events('org-b')
        self.assertIn('contract.start', [e['event_type'] for e in events])
        self.assertIn('contract.end', [e['event_type'] for e in events])

    def test_transient_lend_failures_are_retried_with_backoff(self):
        contract = self.booked()
        self.ironic.failures['lend'] = [ironic.IronicError('locked'),
                                        ironic.IronicError('locked')]
        wait = self.sweep_at(self.start)
        self.assertIsNone(self.node.lessee)
        record, = self.fx.db.fulfilments_of(contract_uuid=contract['uuid'])
        self.assertEqual(('pending', 1, 'locked'), (
            record['state'], record['attempts'], record['last_error']))
        # retry_interval is 1 s, doubled at each failure.
        self.assertEqual(self.start + datetime.timedelta(seconds=1),
                         record['next_attempt_at'])
        self.assertAlmostEqual(1.0, wait, places=3)
        self.sweep_at(self.start + datetime.timedelta(seconds=0.5))
        self.assertEqual(1, self.fx.db.fulfilments_of(
            contract_uuid=contract['uuid'])[0]['attempts'])
        self.sweep_at(self.start + datetime.timedelta(seconds=1))
        record, = self.fx.db.fulfilments_of(contract_uuid=contract['uuid'])
        self.assertEqual(self.start + datetime.timedelta(seconds=3),
                         record['next_attempt_at'])
        self.sweep_at(self.start + datetime.timedelta(seconds=3))
        self.assertEqual('org-b', self.node.lessee)
        self.assertEqual('active', self.status(contract))

    def test_contract_fails_when_node_cannot_be_lent(self):
        contract = self.booked()
        # The owner put the node in maintenance after offering it.
        self.node.is_maintenance = True
        self.node.maintenance_reason = 'fan broken'
        for seconds in (0, 1, 3, 7, 15):
            self.sweep_at(self.start + datetime.timedelta(seconds=seconds))
        market_contract = self.market_db.get_contract(contract['uuid'])
        self.assertEqual('failed', market_contract['status'])
        self.assertIn('fan broken', market_contract['status_reason'])
        self.assertIsNone(self.node.lessee)
        # Both parties hear of it through the market's events.
        for project in ('org-a', 'org-b'):
            self.assertIn('contract.fail', [
                e['event_type'] for e in self.market_db.list_events(project)])
        record, = self.fx.db.fulfilments_of(contract_uuid=contract['uuid'])
        self.assertEqual(('failed', 5), (record['state'], record['attempts']))

    def test_start_grace_limits_retries(self):
        self.fx.conf.set_override('start_grace', 10, group='provider')
        contract = self.booked()
        self.ironic.failures['lend'] = [ironic.IronicError('Ironic down')] * 9
        self.sweep_at(self.start)
        self.sweep_at(self.start + datetime.timedelta(seconds=11))
        self.assertEqual('failed', self.status(contract))

    def test_partial_failure_gives_back_lent_nodes(self):
        second = self.ironic.add_node('org-a')
        contract = self.booked(nodes=[self.node, second])
        self.fx.conf.set_override('max_attempts', 2, group='provider')
        second.is_maintenance = True
        self.sweep_at(self.start)
        self.assertEqual('org-b', self.node.lessee)
        self.assertEqual('scheduled', self.status(contract))
        self.sweep_at(self.start + datetime.timedelta(seconds=1))
        self.assertEqual('failed', self.status(contract))
        # The node that was lent goes back at the next sweep.
        self.sweep_at(self.start + datetime.timedelta(seconds=1))
        self.assertIsNone(self.node.lessee)
        self.assertIsNone(second.lessee)
        states = sorted(r['state'] for r in self.fx.db.fulfilments_of(
            contract_uuid=contract['uuid']))
        self.assertEqual(['failed', 'reclaimed'], states)

    def test_restarted_manager_resumes(self):
        contract = self.booked()
        self.sweep_at(self.start)
        self.assertEqual('org-b', self.node.lessee)
        # A new process: no memory but the records and the market.
        restarted = self.fx.manager(self.clock)
        self.clock.now = self.start + HOUR + datetime.timedelta(seconds=1)
        restarted.sweep()
        self.assertIsNone(self.node.lessee)
        self.assertEqual('completed', self.status(contract))

    def test_lend_interrupted_after_ironic_is_not_repeated(self):
        # The lessee was set but the manager died before recording it.
        contract = self.booked()
        self.node.lessee = 'org-b'
        self.sweep_at(self.start)
        self.assertNotIn('lend', [c[0] for c in self.ironic.calls])
        self.assertEqual('active', self.status(contract))

    def test_contract_ended_on_the_market_is_reclaimed(self):
        contract = self.booked()
        self.sweep_at(self.start)
        self.market_db.update_contract_status(contract['uuid'], 'failed',
                                              'an operator stopped it')
        self.sweep_at(self.start + datetime.timedelta(seconds=1))
        self.assertIsNone(self.node.lessee)

    def test_cancelled_before_start_is_never_lent(self):
        contract = self.booked()
        self.sweep_at(self.start - datetime.timedelta(seconds=10))
        self.market_db.update_contract_status(contract['uuid'], 'cancelled')
        self.sweep_at(self.start)
        self.assertIsNone(self.node.lessee)
        record, = self.fx.db.fulfilments_of(contract_uuid=contract['uuid'])
        self.assertEqual('cancelled', record['state'])

    def test_reclaim_is_retried_until_it_works(self):
        contract = self.booked()
        self.sweep_at(self.start)
        self.ironic.failures['reclaim'] = [ironic.IronicError('clean failed')
                                           ] * 7
        end = self.start + HOUR
        self.sweep_at(end)
        self.assertEqual('org-b', self.node.lessee)
        record, = self.fx.db.fulfilments_of(contract_uuid=contract['uuid'])
        self.assertEqual(('lent', 1, 'clean failed'), (
            record['state'], record['attempts'], record['last_error']))
        # Far more attempts than max_attempts: reclaiming never gives up.
        for minutes in range(1, 30):
            self.sweep_at(end + datetime.timedelta(minutes=minutes))
        self.assertIsNone(self.node.lessee)
        self.assertEqual('completed', self.status(contract))

    def test_market_down_does_not_delay_a_recorded_end(self):
        contract = self.booked()
        self.sweep_at(self.start)

        def down(*args, **kwargs):
            raise RuntimeError('market down')

        self.manager.market.list_contracts = down
        try:
            self.sweep_at(self.start + HOUR)
        finally:
            del self.manager.market.list_contracts
        self.assertIsNone(self.node.lessee)
        self.sweep_at(self.start + HOUR + datetime.timedelta(seconds=1))
        self.assertEqual('completed', self.status(contract))

    def test_back_to_back_contracts_on_one_node(self):
        # An operator without a cleaning gap ([market] cleaning_gap = 0)
        # sells a node back to back.
        self.market_db.default_cleaning_gap = 0
        first = self.booked()
        second_offer = self.offer(start=self.start + HOUR).json
        second = self.contract([second_offer], self.start + HOUR, 3600,
                               renter='org-c')
        self.sweep_at(self.start)
        self.assertEqual('org-b', self.node.lessee)
        self.sweep_at(self.start + HOUR)
        self.assertEqual('completed', self.status(first))
        # Lent again once back: the end of the reclaim wakes the loop for
        # another sweep at once.
        self.assertTrue(self.manager.wake.is_set())
        self.sweep_at(self.start + HOUR)
        self.assertEqual('org-c', self.node.lessee)
        self.assertEqual('active', self.status(second))

    def test_contract_changed_wakes_the_manager(self):
        self.assertFalse(self.manager.wake.is_set())
        self.manager.contract_changed(None, {'uuid': 'x'})
        self.assertTrue(self.manager.wake.is_set())


class LeaseFulfilmentTest(base.ProviderTestCase):
    def setUp(self):
        super().setUp()
        self.clock = Clock()
        self.manager = self.fx.manager(self.clock)

    def test_lease_lent_and_reclaimed(self):
        start = base.from_now(minutes=10)
        lease = self.lease(start=start).json
        self.clock.now = base.from_now(minutes=11)
        self.manager.sweep()
        self.assertEqual('org-a-dev', self.node.lessee)
        self.assertEqual('active', self.fx.db.get_lease(lease['uuid'])
                         ['status'])
        self.clock.now = start + datetime.timedelta(hours=4, seconds=1)
        self.manager.sweep()
        self.assertIsNone(self.node.lessee)
        self.assertEqual('completed', self.fx.db.get_lease(lease['uuid'])
                         ['status'])

    def test_cancelled_active_lease_is_reclaimed(self):
        lease = self.lease(start=base.from_now(seconds=1)).json
        self.clock.now = base.from_now(seconds=2)
        self.manager.sweep()
        self.assertEqual('org-a-dev', self.node.lessee)
        resp = self.org_a_manager.delete(f'/v1/leases/{lease["uuid"]}')
        self.assertEqual(200, resp.status_code, resp.body)
        self.manager.sweep()
        self.assertIsNone(self.node.lessee)
        self.assertEqual('cancelled', self.fx.db.get_lease(lease['uuid'])
                         ['status'])
