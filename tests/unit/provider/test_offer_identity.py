"""An offer has one identity from create to cancel (issue 15).

The provider publishes its offer to the market under the provider's own
uuid, and a cancel through the market closes the provider's record at once
(an RPC cast to the provider manager), so the node can be offered again.
"""

import time

from flocx_common import rpc
from tests.unit import base as test_base
from tests.unit.provider import base


class OfferIdentityTest(base.ProviderTestCase):

    def serve_provider_manager(self):
        """The provider manager's RPC endpoint, as flocx-provider-manager
        serves it, on the fake transport."""
        server = rpc.get_server(
            self.fx.conf, rpc.PROVIDER_TOPIC,
            [self.fx.manager(clock=None)],
            enforcer=self.fx.services.enforcer, server=base.PROVIDER)
        server.start()
        self.addCleanup(server.wait)
        self.addCleanup(server.stop)

    def market_client(self, project='org-a'):
        return test_base.Client(self.fx.market.app, project=project)

    def test_the_market_knows_the_offer_by_the_providers_uuid(self):
        offer = self.offer().json
        self.assertEqual(offer['uuid'], offer['market_offer_uuid'])
        on_market = self.market_client('org-b').get(
            f'/v1/offers/{offer["uuid"]}')
        self.assertEqual(200, on_market.status_code, on_market.body)
        self.assertEqual((base.PROVIDER, self.node.id),
                         (on_market.json['provider'],
                          on_market.json['resource_uuid']))

    def test_cancel_through_the_market_closes_the_providers_offer(self):
        self.serve_provider_manager()
        offer = self.offer().json
        resp = self.market_client().delete(f'/v1/offers/{offer["uuid"]}')
        self.assertEqual(200, resp.status_code, resp.body)

        # The cast reaches the provider manager within moments, not at its
        # next comparison with the market (a minute).
        deadline = time.monotonic() + 5
        while (self.fx.db.get_offer(offer['uuid'])['status'] == 'open'
               and time.monotonic() < deadline):
            time.sleep(0.02)
        mine = self.fx.db.get_offer(offer['uuid'])
        self.assertEqual(('cancelled', 'cancelled by its owner'),
                         (mine['status'], mine['status_reason']))
        # So the node can be offered again for that time, at once.
        again = self.offer()
        self.assertEqual(201, again.status_code, again.body)

    def test_cancel_through_the_provider_closes_both(self):
        self.serve_provider_manager()
        offer = self.offer().json
        resp = self.org_a.delete(f'/v1/offers/{offer["uuid"]}')
        self.assertEqual(200, resp.status_code, resp.body)
        self.assertEqual('cancelled by its provider', self.market_db.get_offer(
            offer['uuid'])['status_reason'])
        self.assertEqual('cancelled by its owner',
                         self.fx.db.get_offer(offer['uuid'])['status_reason'])

    def test_publish_refuses_a_uuid_that_is_not_one(self):
        from flocx_market import rpcapi
        from flocx_common import context
        from flocx_common.api import errors
        market = rpcapi.MarketAPI(self.fx.conf, timeout=10,
                                  provider=base.PROVIDER)
        ctx = context.get_admin_context(self.fx.services.enforcer)
        error = self.assertRaises(
            errors.BadRequest, market.publish_offer, ctx, {
                'uuid': 'not-a-uuid', 'project_id': 'org-a',
                'provider': base.PROVIDER, 'resource_uuid': self.node.id,
                'resource_class': 'baremetal', 'properties': {},
                'start_time': base.iso(base.from_now(hours=1)),
                'end_time': base.iso(base.from_now(hours=2)), 'price': 1})
        self.assertIn('not-a-uuid', str(error))
