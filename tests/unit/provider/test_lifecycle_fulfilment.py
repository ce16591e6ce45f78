"""The provider carries out a contract's changes: returns, revocations,
extensions, and tells the market when each node was lent and reclaimed
(what the renter is billed for)."""

import datetime
import decimal

from tests.unit.provider import base
from tests.unit.provider import test_fulfilment

HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)


class LifecycleFulfilmentTest(base.ProviderTestCase):

    def setUp(self):
        super().setUp()
        self.clock = test_fulfilment.Clock()
        self.manager = self.fx.manager(self.clock)

    booked = test_fulfilment.FulfilmentTest.booked
    status = test_fulfilment.FulfilmentTest.status
    sweep_at = test_fulfilment.FulfilmentTest.sweep_at

    def market_node(self, contract, node=None):
        nodes = self.market_db.get_contract(contract['uuid'])['nodes']
        node_id = (node or self.node).id
        [found] = [n for n in nodes if n['resource_uuid'] == node_id]
        return found

    def rent(self, contract):
        import sqlalchemy as sa
        from flocx_market.db import models
        c = models.charges
        with self.market_db.reader() as session:
            return session.execute(sa.select(sa.func.sum(c.c.amount)).where(
                c.c.contract_uuid == contract['uuid'], c.c.party == 'renter',
                c.c.kind == 'rent')).scalar()

    def test_lend_and_reclaim_times_reach_the_market(self):
        contract = self.booked()
        self.sweep_at(self.start + MINUTE)
        node = self.market_node(contract)
        self.assertEqual(self.start + MINUTE, base_parse(node['lent_at']))
        self.sweep_at(self.start + HOUR + 2 * MINUTE)
        node = self.market_node(contract)
        self.assertEqual(self.start + HOUR + 2 * MINUTE,
                         base_parse(node['reclaimed_at']))
        self.assertEqual('completed', self.status(contract))
        # Billed 59 min (lent 1 min late; the slow reclaim is not the
        # renter's) at 2.00.
        self.assertEqual(decimal.Decimal('1.97'), self.rent(contract))

    def test_returned_node_is_reclaimed_at_once(self):
        contract = self.booked()
        self.sweep_at(self.start)
        returned_at = self.start + 20 * MINUTE
        self.market_db.end_contract_nodes(contract['uuid'], 'returned',
                                          'returned', now=returned_at)
        self.assertEqual('completed', self.status(contract))
        self.sweep_at(returned_at + MINUTE)
        self.assertIsNone(self.node.lessee)
        [record] = self.fx.db.fulfilments_of(contract_uuid=contract['uuid'])
        self.assertEqual('reclaimed', record['state'])
        self.assertEqual(decimal.Decimal('0.67'), self.rent(contract))

    def test_extension_keeps_the_node_with_the_renter(self):
        from oslo_utils import timeutils
        self.start = timeutils.utcnow().replace(microsecond=0) + HOUR
        offer = self.offer(start=base.from_now(seconds=5),
                           end=self.start + 3 * HOUR).json
        contract = self.contract([offer], self.start, 3600)
        self.sweep_at(self.start)
        self.market_db.extend_contract(contract['uuid'],
                                       self.start + 2 * HOUR,
                                       now=self.start + 30 * MINUTE)
        self.sweep_at(self.start + HOUR + MINUTE)
        self.assertEqual('org-b', self.node.lessee)
        self.assertEqual('active', self.status(contract))
        self.sweep_at(self.start + 2 * HOUR)
        self.assertIsNone(self.node.lessee)
        self.assertEqual('completed', self.status(contract))

    def test_one_node_returned_before_start_the_other_lent(self):
        other = self.ironic.add_node('org-a', name='a-node-1')
        contract = self.booked(nodes=[self.node, other])
        self.market_db.end_contract_nodes(
            contract['uuid'], 'returned', 'returned',
            resource_uuids=[self.node.id],
            now=self.start - 10 * MINUTE)
        self.sweep_at(self.start)
        self.assertIsNone(self.node.lessee)
        self.assertEqual('org-b', other.lessee)
        self.assertEqual('active', self.status(contract))
        states = {r['node_uuid']: r['state'] for r in
                  self.fx.db.fulfilments_of(contract_uuid=contract['uuid'])}
        self.assertEqual({self.node.id: 'cancelled', other.id: 'lent'},
                         states)
        self.sweep_at(self.start + HOUR)
        self.assertEqual('completed', self.status(contract))

    def test_revoked_contract_is_reclaimed(self):
        contract = self.booked()
        self.sweep_at(self.start)
        self.market_db.end_contract_nodes(contract['uuid'], 'revoked',
                                          'disk failed', owner='org-a',
                                          now=self.start + 5 * MINUTE)
        self.sweep_at(self.start + 6 * MINUTE)
        self.assertIsNone(self.node.lessee)
        self.assertEqual('revoked', self.status(contract))
        self.assertEqual(decimal.Decimal('0.17'), self.rent(contract))

    def test_delivery_told_again_when_the_market_did_not_answer(self):
        contract = self.booked()
        calls = []
        real = self.manager.market.report_delivery

        def down(*args, **kwargs):
            calls.append(args)
            raise RuntimeError('market down')
        self.manager.market.report_delivery = down
        self.sweep_at(self.start)
        self.assertTrue(calls)
        self.assertIsNone(self.market_node(contract)['lent_at'])
        self.manager.market.report_delivery = real
        self.sweep_at(self.start + MINUTE)
        self.assertEqual(self.start,
                         base_parse(self.market_node(contract)['lent_at']))


def base_parse(text):
    from tests.unit.market import base as market_base
    return market_base.parse(text)
